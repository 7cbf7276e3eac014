"""After rotate_field_keys (here AES → 国密 with a new key) a resident's tracking code still finds the
demand, and the caller's phone reads under the new key alone."""

from django.core.management import call_command
from django.test import override_settings

from core.crypto import generate_key
from demands.models import Demand

K1, H1, K2, H2 = generate_key(), generate_key(), generate_key(), generate_key()


def test_tracking_code_and_phone_survive_a_rotation_to_guomi(make_demand, tmp_path):
    with override_settings(DANGJIAN_FIELD_KEY=K1, DANGJIAN_HASH_KEY=H1, DANGJIAN_CRYPTO="aes"):
        d = make_demand()
        code = Demand.objects.get(pk=d.pk).secret_code
    with override_settings(DANGJIAN_FIELD_KEY=K2, DANGJIAN_HASH_KEY=H2, DANGJIAN_CRYPTO="sm",
                           DANGJIAN_FIELD_KEYS_OLD=[K1]):
        call_command("rotate_field_keys", state=str(tmp_path / "state.json"))
    with override_settings(DANGJIAN_FIELD_KEY=K2, DANGJIAN_HASH_KEY=H2, DANGJIAN_CRYPTO="sm"):
        field = Demand._meta.get_field("secret_code")
        found = Demand.objects.get(secret_code_hash=field.blind_index_for(code))
        assert found.pk == d.pk and found.caller_phone == "13812345678"
