"""Read-only API of bodies and meetings within the caller's scope."""

from rest_framework import serializers

from accounts.apis import ScopedReadOnlyViewSet
from core.openapi import ClockTimeField

from .models import Attendance, Body, Meeting, Resolution
from .rules import P


class BodySerializer(serializers.ModelSerializer):
    class Meta:
        model = Body
        fields = ["id", "name", "kind", "region", "rotating_chair", "since", "active"]


class AttendanceSerializer(serializers.ModelSerializer):
    class Meta:
        model = Attendance
        fields = ["id", "unit", "person_name", "status", "reply", "reply_name", "reply_reason", "replied_at"]


class ResolutionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Resolution
        fields = ["id", "text", "kind", "owner_name", "unit", "deadline", "project", "done"]


class MeetingSerializer(serializers.ModelSerializer):
    start_time = ClockTimeField(read_only=True, allow_null=True)
    attendances = AttendanceSerializer(many=True, read_only=True)
    resolutions = ResolutionSerializer(many=True, read_only=True)

    class Meta:
        model = Meeting
        fields = ["id", "body", "title", "date", "start_time", "place", "ad_hoc", "chair_unit", "agenda", "minutes",
                  "status", "attendances", "resolutions"]


class BodyViewSet(ScopedReadOnlyViewSet):
    """Steering bodies (三会) and other deliberative bodies."""

    serializer_class = BodySerializer
    required_perm = P.VIEW
    base_queryset = Body.objects.order_by("pk")
    filterset_fields = ["kind", "region"]


class MeetingViewSet(ScopedReadOnlyViewSet):
    """Meetings with attendance and resolutions."""

    serializer_class = MeetingSerializer
    required_perm = P.VIEW
    base_queryset = Meeting.objects.prefetch_related("attendances", "resolutions").order_by("-date", "-pk")
    filterset_fields = ["body", "status"]


ROUTES = [
    ("meetings/bodies", BodyViewSet, "meetings-body"),
    ("meetings/meetings", MeetingViewSet, "meetings-meeting"),
]
