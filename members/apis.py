from rest_framework import serializers

from accounts.apis import ScopedReadOnlyViewSet
from core.masking import mask_id_number, mask_mobile

from .models import PartyMember
from .perms import MembersPerm


class PartyMemberSerializer(serializers.ModelSerializer):
    """Personal data only masked: full values are shown on the detail page with a stated purpose."""

    id_number_masked = serializers.SerializerMethodField()
    mobile_masked = serializers.SerializerMethodField()
    org_name = serializers.CharField(source="org.name", read_only=True)
    category_label = serializers.CharField(source="get_category_display", read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = PartyMember
        fields = ["id", "name", "gender", "ethnicity", "education", "joined_on", "full_member_on", "status",
                  "status_label", "category", "category_label", "org", "org_name", "residence",
                  "id_number_masked", "mobile_masked"]

    def get_id_number_masked(self, obj) -> str:
        return mask_id_number(obj.id_number)

    def get_mobile_masked(self, obj) -> str:
        return mask_mobile(obj.mobile) if obj.mobile else ""


class PartyMemberViewSet(ScopedReadOnlyViewSet):
    """Party members of the organizations within the caller's scope (masked personal data)."""

    serializer_class = PartyMemberSerializer
    required_perm = MembersPerm.VIEW
    base_queryset = PartyMember.objects.select_related("org").order_by("id")
    filterset_fields = ["org", "category", "status", "gender"]


ROUTES = [("members", PartyMemberViewSet, "partymember")]
