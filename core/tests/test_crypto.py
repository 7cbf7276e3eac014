"""Tests for core.crypto (AES-GCM field encryption, blind indexes, EncryptedCharField)."""

from __future__ import annotations

import base64
import random
from collections.abc import Iterator
from datetime import date

import pytest
from django.apps.registry import Apps
from django.core.exceptions import FieldError, ImproperlyConfigured
from django.db import connection, models
from django.test import override_settings

from core.crypto import (
    DecryptionError,
    EncryptedCharField,
    blind_index,
    decrypt_text,
    encrypt_text,
    generate_key,
)
from core.idnumber import generate_id_number

FIELD_KEY = generate_key()
HASH_KEY = generate_key()
OTHER_KEY = generate_key()


@pytest.fixture(autouse=True, params=["aes", "sm"])
def _crypto_keys(request) -> Iterator[None]:
    """Fresh keys for every test, every test in both modes: AES-256-GCM + HMAC-SHA256 and 国密
    (SM4-GCM + HMAC-SM3); individual tests nest override_settings on top."""
    with override_settings(DANGJIAN_FIELD_KEY=FIELD_KEY, DANGJIAN_HASH_KEY=HASH_KEY, DANGJIAN_CRYPTO=request.param):
        yield


def prefix() -> str:
    """The token prefix of the mode under test: v1: (AES-256-GCM) or s1: (SM4-GCM)."""
    from core.crypto import PREFIX, crypto_mode

    return PREFIX[crypto_mode()]


# Test models live in their own registry: they never reach the project's app
# registry, migrations or system checks, and tables are created on demand.
test_apps = Apps()


class Citizen(models.Model):
    name = models.CharField(max_length=50, default="")
    id_number = EncryptedCharField(
        max_length=18,
        null=True,
        blank=True,
        hash_field="id_number_hash",
        hash_purpose="id_number",
        normalizer="core.idnumber.normalize_id_number",
    )
    id_number_hash = models.CharField(max_length=64, null=True, blank=True, unique=True)
    note = EncryptedCharField(blank=True, default="")

    class Meta:
        app_label = "core"
        apps = test_apps
        db_table = "core_test_encrypted_citizen"  # never clashes with a real table


def _field(name: str = "id_number") -> EncryptedCharField:
    field = Citizen._meta.get_field(name)
    assert isinstance(field, EncryptedCharField)
    return field


# --------------------------------------------------------------------------
# Keys
# --------------------------------------------------------------------------


class TestKeys:
    def test_generate_key_is_32_random_bytes(self) -> None:
        key = generate_key()
        assert len(base64.urlsafe_b64decode(key)) == 32
        assert key != generate_key()

    @override_settings(DANGJIAN_FIELD_KEY=None, DANGJIAN_HASH_KEY=HASH_KEY)
    def test_missing_field_key(self) -> None:
        with pytest.raises(ImproperlyConfigured, match="DANGJIAN_FIELD_KEY is missing"):
            encrypt_text("x")

    @override_settings(DANGJIAN_FIELD_KEY=FIELD_KEY, DANGJIAN_HASH_KEY="")
    def test_missing_hash_key(self) -> None:
        with pytest.raises(ImproperlyConfigured, match="DANGJIAN_HASH_KEY is missing"):
            blind_index("x", purpose="p")

    def test_missing_setting_attribute(self) -> None:
        with override_settings(DANGJIAN_FIELD_KEY=FIELD_KEY):
            from django.conf import settings

            del settings.DANGJIAN_FIELD_KEY
            with pytest.raises(ImproperlyConfigured, match="DANGJIAN_FIELD_KEY"):
                encrypt_text("x")

    @override_settings(DANGJIAN_FIELD_KEY=base64.urlsafe_b64encode(b"k" * 16).decode())
    def test_wrong_length(self) -> None:
        with pytest.raises(ImproperlyConfigured, match="exactly 32 bytes \\(got 16\\)"):
            encrypt_text("x")

    @override_settings(DANGJIAN_FIELD_KEY="not base64 at all!!")
    def test_not_base64(self) -> None:
        with pytest.raises(ImproperlyConfigured, match="not valid urlsafe base64"):
            encrypt_text("x")

    def test_error_message_does_not_echo_the_key(self) -> None:
        bad = base64.urlsafe_b64encode(b"secret-ish-key-material").decode()
        with (
            override_settings(DANGJIAN_FIELD_KEY=bad),
            pytest.raises(ImproperlyConfigured) as excinfo,
        ):
            encrypt_text("x")
        assert bad not in str(excinfo.value)

    def test_unpadded_key_accepted(self) -> None:
        with override_settings(
            DANGJIAN_FIELD_KEY=FIELD_KEY.rstrip("="), DANGJIAN_HASH_KEY=HASH_KEY
        ):
            assert decrypt_text(encrypt_text("ok")) == "ok"


# --------------------------------------------------------------------------
# encrypt_text / decrypt_text
# --------------------------------------------------------------------------


class TestEncryption:
    def test_round_trip(self) -> None:
        for plain in (
            "",
            "110105199001010029",
            "张三 · 新疆维吾尔自治区",
            "x" * 10_000,
        ):
            assert decrypt_text(encrypt_text(plain)) == plain

    def test_format(self) -> None:
        token = encrypt_text("abc")
        assert token.startswith(prefix())
        blob = base64.urlsafe_b64decode(token[3:])
        assert len(blob) == 12 + len(b"abc") + 16  # nonce + ciphertext + tag
        assert "abc" not in token

    def test_non_deterministic(self) -> None:
        tokens = {encrypt_text("110105199001010029") for _ in range(20)}
        assert len(tokens) == 20
        assert {decrypt_text(token) for token in tokens} == {"110105199001010029"}

    def test_tampering_raises(self) -> None:
        token = encrypt_text("110105199001010029")
        blob = bytearray(base64.urlsafe_b64decode(token[3:]))
        for position in (0, 12, len(blob) - 1):  # nonce, ciphertext, tag
            tampered = bytearray(blob)
            tampered[position] ^= 0x01
            forged = prefix() + base64.urlsafe_b64encode(bytes(tampered)).decode()
            with pytest.raises(DecryptionError, match="failed authentication"):
                decrypt_text(forged)

    def test_wrong_key_raises(self) -> None:
        token = encrypt_text("secret")
        with (
            override_settings(DANGJIAN_FIELD_KEY=OTHER_KEY),
            pytest.raises(DecryptionError),
        ):
            decrypt_text(token)

    def test_old_keys_stay_readable_during_a_rotation(self) -> None:
        from core.crypto import decrypt_with_status

        token = encrypt_text("110105199001010029")
        assert decrypt_with_status(token) == ("110105199001010029", True)
        with override_settings(DANGJIAN_FIELD_KEY=OTHER_KEY, DANGJIAN_FIELD_KEYS_OLD=[FIELD_KEY]):
            assert decrypt_with_status(token) == ("110105199001010029", False)
            assert decrypt_with_status(encrypt_text("x")) == ("x", True)
        with override_settings(DANGJIAN_FIELD_KEY=OTHER_KEY, DANGJIAN_FIELD_KEYS_OLD=""), \
                pytest.raises(DecryptionError):
            decrypt_text(token)

    def test_a_token_of_the_other_mode_reads_and_counts_as_old(self) -> None:
        from core.crypto import decrypt_with_status

        token = encrypt_text("13812345678")
        other = "sm" if prefix() == "v1:" else "aes"
        with override_settings(DANGJIAN_CRYPTO=other):
            assert decrypt_with_status(token) == ("13812345678", False)

    @pytest.mark.parametrize(
        "token",
        [
            "",
            "plain text",
            "v2:AAAA",
            "v1:",
            "s1:",
            "v1:not*base64",
            "s1:not*base64",
            "v1:" + base64.urlsafe_b64encode(b"short").decode(),
            "s1:" + base64.urlsafe_b64encode(b"short").decode(),
        ],
    )
    def test_malformed_tokens(self, token: str) -> None:
        with pytest.raises(DecryptionError):
            decrypt_text(token)

    def test_decryption_error_is_value_error(self) -> None:
        assert issubclass(DecryptionError, ValueError)

    def test_encrypt_rejects_non_str(self) -> None:
        with pytest.raises(TypeError):
            encrypt_text(b"bytes")  # type: ignore[arg-type]


# --------------------------------------------------------------------------
# blind_index
# --------------------------------------------------------------------------


class TestBlindIndex:
    def test_deterministic_hex_sha256(self) -> None:
        digest = blind_index("110105199001010029", purpose="id_number")
        assert digest == blind_index("110105199001010029", purpose="id_number")
        assert len(digest) == 64
        int(digest, 16)

    def test_matches_reference_hmac(self) -> None:
        import hashlib
        import hmac

        from cryptography.hazmat.primitives import hashes
        from cryptography.hazmat.primitives import hmac as crypto_hmac

        key = base64.urlsafe_b64decode(HASH_KEY)
        if prefix() == "v1:":
            expected = hmac.new(key, b"mobile\x0013812345678", hashlib.sha256).hexdigest()
        else:  # HMAC-SM3, computed independently of core.crypto
            mac = crypto_hmac.HMAC(key, hashes.SM3())
            mac.update(b"mobile\x0013812345678")
            expected = mac.finalize().hex()
        assert blind_index("13812345678", purpose="mobile") == expected

    def test_purpose_separated(self) -> None:
        assert blind_index("13812345678", purpose="mobile") != blind_index(
            "13812345678", purpose="id_number"
        )

    def test_purpose_value_boundary_is_unambiguous(self) -> None:
        assert blind_index("b", purpose="a") != blind_index("", purpose="ab")

    def test_different_values_differ(self) -> None:
        assert blind_index("a", purpose="p") != blind_index("b", purpose="p")

    def test_depends_on_key(self) -> None:
        digest = blind_index("a", purpose="p")
        with override_settings(DANGJIAN_HASH_KEY=OTHER_KEY):
            assert blind_index("a", purpose="p") != digest

    @pytest.mark.parametrize("purpose", ["", "id\x00number"])
    def test_bad_purpose(self, purpose: str) -> None:
        with pytest.raises(ValueError):
            blind_index("a", purpose=purpose)


# --------------------------------------------------------------------------
# EncryptedCharField without a database
# --------------------------------------------------------------------------


class TestFieldUnit:
    def test_pre_save_normalizes_and_sets_hash(self) -> None:
        citizen = Citizen(id_number=" 11010519491231002x ")
        value = _field().pre_save(citizen, add=True)
        assert value == "11010519491231002X"
        assert citizen.id_number == "11010519491231002X"
        assert citizen.id_number_hash == blind_index(
            "11010519491231002X", purpose="id_number"
        )

    def test_pre_save_empty_clears_hash(self) -> None:
        for empty in (None, ""):
            citizen = Citizen(id_number=empty, id_number_hash="stale")
            assert _field().pre_save(citizen, add=False) == empty
            assert citizen.id_number_hash is None

    def test_hash_matches_regardless_of_input_spelling(self) -> None:
        a = Citizen(id_number="11010519491231002X")
        b = Citizen(id_number="１１０１０５１９４９１２３１００２ｘ")
        _field().pre_save(a, add=True)
        _field().pre_save(b, add=True)
        assert (
            a.id_number_hash
            == b.id_number_hash
            == _field().blind_index_for("11010519491231002x")
        )

    def test_blind_index_for_empty(self) -> None:
        assert _field().blind_index_for(None) is None
        assert _field().blind_index_for("  ") is None

    def test_get_prep_value_encrypts(self) -> None:
        token = _field().get_db_prep_save("11010519491231002x", connection)
        assert token.startswith(prefix())
        assert decrypt_text(token) == "11010519491231002X"
        assert _field().get_db_prep_save(None, connection) is None
        assert _field().get_db_prep_save("", connection) == ""

    def test_from_db_value(self) -> None:
        field = _field()
        assert field.from_db_value(encrypt_text("秘密"), None, connection) == "秘密"
        assert field.from_db_value(None, None, connection) is None
        assert field.from_db_value("", None, connection) == ""
        with pytest.raises(DecryptionError):
            field.from_db_value(prefix() + "garbage", None, connection)

    def test_field_without_normalizer_or_hash(self) -> None:
        citizen = Citizen(note="  keep spaces ")
        assert _field("note").pre_save(citizen, add=True) == "  keep spaces "
        with pytest.raises(ImproperlyConfigured):
            _field("note").blind_index_for("x")

    def test_deconstruct_includes_custom_kwargs(self) -> None:
        name, path, args, kwargs = _field().deconstruct()
        assert (name, path, args) == ("id_number", "core.crypto.EncryptedCharField", [])
        assert kwargs == {
            "max_length": 18,
            "null": True,
            "blank": True,
            "hash_field": "id_number_hash",
            "hash_purpose": "id_number",
            "normalizer": "core.idnumber.normalize_id_number",
        }
        clone = EncryptedCharField(*args, **kwargs)
        assert clone.deconstruct()[3] == kwargs

    def test_deconstruct_omits_defaults(self) -> None:
        kwargs = _field("note").deconstruct()[3]
        assert kwargs == {"blank": True, "default": ""}

    def test_only_isnull_lookup(self) -> None:
        field = _field()
        assert field.get_lookup("isnull") is not None
        for lookup in ("exact", "iexact", "in", "contains", "startswith", "gt"):
            with pytest.raises(FieldError, match="only 'isnull' is supported"):
                field.get_lookup(lookup)
        with pytest.raises(FieldError, match="core.Citizen.id_number"):
            field.get_transform("lower")

    def test_queryset_filters_are_rejected(self) -> None:
        with pytest.raises(FieldError, match="id_number_hash"):
            Citizen.objects.filter(id_number="11010519491231002X")
        with pytest.raises(FieldError):
            Citizen.objects.filter(id_number__in=["a"])
        with pytest.raises(FieldError):
            Citizen.objects.filter(id_number__lower="a")
        assert "IS NULL" in str(Citizen.objects.filter(id_number__isnull=True).query)

    def test_formfield_is_single_line_with_max_length(self) -> None:
        from django import forms

        form_field = _field().formfield()
        assert isinstance(form_field, forms.CharField)
        assert form_field.max_length == 18
        assert not isinstance(form_field.widget, forms.Textarea)

    def test_full_clean_validates_plain_length(self) -> None:
        from django.core.exceptions import ValidationError

        citizen = Citizen(name="x", id_number="1" * 19)
        with pytest.raises(ValidationError) as excinfo:
            citizen.clean_fields()
        assert "id_number" in excinfo.value.message_dict

    def test_constructor_validation(self) -> None:
        with pytest.raises(ValueError, match="hash_purpose"):
            EncryptedCharField(hash_field="x_hash")
        with pytest.raises(TypeError):
            EncryptedCharField(normalizer=str.strip)  # type: ignore[arg-type]


class TestFieldChecks:
    """System checks on badly declared models (in a throwaway registry)."""

    def _ids(self, model: type[models.Model], field_name: str) -> set[str]:
        return {error.id for error in model._meta.get_field(field_name).check()}

    def test_valid_model_has_no_errors(self) -> None:
        assert self._ids(Citizen, "id_number") == set()
        assert self._ids(Citizen, "note") == set()

    def test_bad_declarations(self) -> None:
        registry = Apps()

        class Bad(models.Model):
            hash_first = models.CharField(max_length=64, null=True)
            before = EncryptedCharField(hash_field="hash_first", hash_purpose="p")
            missing = EncryptedCharField(hash_field="nope", hash_purpose="p")
            short = EncryptedCharField(hash_field="short_hash", hash_purpose="p")
            short_hash = models.CharField(max_length=32, null=True)
            uniq = EncryptedCharField(unique=True)
            bad_norm = EncryptedCharField(normalizer="core.idnumber.does_not_exist")

            class Meta:
                app_label = "core"
                apps = registry

        assert self._ids(Bad, "missing") == {"core.E001"}
        assert self._ids(Bad, "before") == {"core.E002"}
        assert self._ids(Bad, "uniq") == {"core.E003"}
        assert self._ids(Bad, "bad_norm") == {"core.E004"}
        assert self._ids(Bad, "short") == {"core.E005"}


# --------------------------------------------------------------------------
# EncryptedCharField against a real database
# --------------------------------------------------------------------------


@pytest.fixture
def citizen_table(transactional_db: None) -> Iterator[None]:
    with connection.schema_editor() as editor:
        editor.create_model(Citizen)
    try:
        yield
    finally:
        with connection.schema_editor() as editor:
            editor.delete_model(Citizen)


def _raw_row(pk: int) -> tuple[str | None, str | None, str]:
    with connection.cursor() as cursor:
        table = connection.ops.quote_name(Citizen._meta.db_table)
        cursor.execute(
            f"SELECT id_number, id_number_hash, note FROM {table} WHERE id = %s", [pk]
        )
        return cursor.fetchone()


@pytest.mark.usefixtures("citizen_table")
class TestFieldDatabase:
    def test_save_stores_ciphertext_and_hash(self) -> None:
        citizen = Citizen.objects.create(
            name="张三", id_number="11010519491231002x", note="备注"
        )
        stored_id, stored_hash, stored_note = _raw_row(citizen.pk)
        assert stored_id.startswith(prefix()) and "1949" not in stored_id
        assert stored_note.startswith(prefix())
        assert stored_hash == blind_index("11010519491231002X", purpose="id_number")

        loaded = Citizen.objects.get(pk=citizen.pk)
        assert loaded.id_number == "11010519491231002X"
        assert loaded.note == "备注"
        assert list(Citizen.objects.values_list("id_number", flat=True)) == [
            "11010519491231002X"
        ]

    def test_update_via_save_refreshes_hash(self) -> None:
        citizen = Citizen.objects.create(id_number="11010519491231002X")
        citizen.id_number = "654322198511031235"
        citizen.save()
        loaded = Citizen.objects.get(
            id_number_hash=_field().blind_index_for("654322198511031235")
        )
        assert loaded.pk == citizen.pk
        citizen.id_number = None
        citizen.save()
        assert _raw_row(citizen.pk)[:2] == (None, None)
        assert Citizen.objects.filter(id_number__isnull=True).count() == 1

    def test_bulk_create_sets_hashes(self) -> None:
        rng = random.Random(11643)
        numbers = [
            generate_id_number(
                rng,
                birth_date=date(1960 + i % 40, 1 + i % 12, 1 + i % 28),
                gender="MF"[i % 2],
            )
            for i in range(50)
        ]
        Citizen.objects.bulk_create(
            [Citizen(id_number=number.lower()) for number in numbers]
        )
        assert Citizen.objects.filter(id_number_hash__isnull=True).count() == 0
        for number in rng.sample(numbers, 10):
            found = Citizen.objects.get(id_number_hash=_field().blind_index_for(number))
            assert found.id_number == number

    def test_hash_uniqueness_enforced_on_hash_column(self) -> None:
        from django.db import IntegrityError

        Citizen.objects.create(id_number="11010519491231002X")
        with pytest.raises(IntegrityError):
            Citizen.objects.create(id_number=" 11010519491231002x")
