"""Encryption at rest for personal data, plus keyed hashes for exact lookup.

Keys come from Django settings, each the urlsafe base64 encoding of 32 random
bytes (create one with :func:`generate_key` or ``python -m core.crypto``):

``DANGJIAN_FIELD_KEY``
    The current field key: every new ciphertext is made with it.
``DANGJIAN_FIELD_KEYS_OLD``
    Keys being rotated out (a list, or a comma-separated string): still
    readable until ``manage.py rotate_field_keys`` has re-encrypted every value.
``DANGJIAN_HASH_KEY``
    The key of :func:`blind_index`. Use a different key from the field key.
``DANGJIAN_CRYPTO``
    ``"aes"`` (default): AES-256-GCM and HMAC-SHA256. ``"sm"`` (国密): SM4-GCM
    (GB/T 32907 in the GCM AEAD mode) and HMAC-SM3 (GB/T 32905), both through
    ``cryptography``. SM4 takes a 128-bit key: the first 16 bytes of
    HMAC-SM3(field key, "dangjian:sm4-gcm"), so both modes use the same keys.

Ciphertext formats: ``"v1:"`` (AES-256-GCM) or ``"s1:"`` (SM4-GCM), then
``urlsafe_b64(nonce[12] + ciphertext + tag[16])``. The prefix names the
algorithm; the key is found in the keyring (the current key first, then the old
ones: the GCM tag tells which one fits). Because every encryption uses a fresh
random nonce, equal plaintexts give different ciphertexts; exact-match search
goes through a separate "blind index" column holding
``blind_index(value, purpose=...)``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core import checks, validators
from django.core.exceptions import FieldDoesNotExist, FieldError, ImproperlyConfigured
from django.core.signals import setting_changed
from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models.lookups import Lookup, Transform
from django.utils.module_loading import import_string

__all__ = [
    "DecryptionError",
    "EncryptedCharField",
    "blind_index",
    "crypto_mode",
    "decrypt_text",
    "decrypt_with_status",
    "encrypt_text",
    "generate_key",
    "key_id",
]

KEY_BYTES = 32
NONCE_BYTES = 12
TAG_BYTES = 16
AES, SM = "aes", "sm"
MODES = (AES, SM)
PREFIX = {AES: "v1:", SM: "s1:"}
TOKEN_PREFIX = PREFIX[AES]  # the historical name
# Associated data binds ciphertexts to their format.
_AAD = {AES: b"dangjian:v1", SM: b"dangjian:s1"}

FIELD_KEY_SETTING = "DANGJIAN_FIELD_KEY"
OLD_FIELD_KEYS_SETTING = "DANGJIAN_FIELD_KEYS_OLD"
HASH_KEY_SETTING = "DANGJIAN_HASH_KEY"
MODE_SETTING = "DANGJIAN_CRYPTO"


class DecryptionError(ValueError):
    """A token is malformed, was tampered with, or was encrypted with another key."""


# --------------------------------------------------------------------------
# Keys
# --------------------------------------------------------------------------


def generate_key() -> str:
    """Return a new random 32-byte key, urlsafe-base64 encoded (for settings/env files)."""
    return base64.urlsafe_b64encode(os.urandom(KEY_BYTES)).decode("ascii")


def key_id(key: bytes) -> str:
    """A short public name for a key (audit entries, rotation state); never reveals the key."""
    return hashlib.sha256(b"dangjian-key-id:" + key).hexdigest()[:8]


def _b64decode(data: str | bytes) -> bytes:
    """Strict urlsafe base64 decoding that tolerates missing padding."""
    raw = data.encode("ascii") if isinstance(data, str) else data
    raw += b"=" * (-len(raw) % 4)
    return base64.b64decode(raw, altchars=b"-_", validate=True)


@lru_cache(maxsize=16)
def _decode_key(setting_name: str, value: str | bytes) -> bytes:
    hint = "generate one with `python -m core.crypto` (core.crypto.generate_key())"
    try:
        key = _b64decode(value.strip())
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raise ImproperlyConfigured(
            f"settings.{setting_name} is not valid urlsafe base64; {hint}."
        ) from None
    if len(key) != KEY_BYTES:
        raise ImproperlyConfigured(
            f"settings.{setting_name} must decode to exactly {KEY_BYTES} bytes "
            f"(got {len(key)}); {hint}."
        )
    return key


_KEYS: dict[str, Any] = {}  # decoded keys by setting name; emptied when a key setting changes


def _key_from_settings(setting_name: str) -> bytes:
    try:
        return _KEYS[setting_name]  # hot path: each encryption and blind index of a bulk import
    except KeyError:
        key = _KEYS[setting_name] = _checked_key(setting_name, getattr(settings, setting_name, None))
        return key


def _old_field_keys() -> tuple[bytes, ...]:
    try:
        return _KEYS[OLD_FIELD_KEYS_SETTING]
    except KeyError:
        value = getattr(settings, OLD_FIELD_KEYS_SETTING, None) or ()
        if isinstance(value, str):
            value = [part for part in value.split(",") if part.strip()]
        keys = _KEYS[OLD_FIELD_KEYS_SETTING] = tuple(_decode_key(OLD_FIELD_KEYS_SETTING, v) for v in value)
        return keys


def crypto_mode() -> str:
    try:
        return _KEYS[MODE_SETTING]
    except KeyError:
        mode = (getattr(settings, MODE_SETTING, None) or AES).strip().lower()
        if mode not in MODES:
            raise ImproperlyConfigured(f"settings.{MODE_SETTING} must be one of {MODES}, not {mode!r}.")
        _KEYS[MODE_SETTING] = mode
        return mode


def _forget_keys(*, setting: str, **kwargs) -> None:
    if setting in (FIELD_KEY_SETTING, HASH_KEY_SETTING, OLD_FIELD_KEYS_SETTING, MODE_SETTING):
        _KEYS.clear()


setting_changed.connect(_forget_keys, dispatch_uid="core.crypto.forget_keys")


def _checked_key(setting_name: str, value) -> bytes:
    if not value:
        raise ImproperlyConfigured(
            f"settings.{setting_name} is missing or empty; set it to the urlsafe "
            f"base64 encoding of {KEY_BYTES} random bytes (see core.crypto.generate_key())."
        )
    if not isinstance(value, (str, bytes)):
        raise ImproperlyConfigured(f"settings.{setting_name} must be a string.")
    return _decode_key(setting_name, value)


def current_key_ids() -> dict[str, str]:
    """The mode and the ids of the current keys (what `rotate_field_keys` rotates to)."""
    return {"mode": crypto_mode(), "field_key": key_id(_key_from_settings(FIELD_KEY_SETTING)),
            "hash_key": key_id(_key_from_settings(HASH_KEY_SETTING))}


# --------------------------------------------------------------------------
# The two ciphers
# --------------------------------------------------------------------------


@lru_cache(maxsize=16)
def _aesgcm(key: bytes) -> AESGCM:
    return AESGCM(key)


@lru_cache(maxsize=16)
def _sm4_key(key: bytes) -> bytes:
    return _hmac_sm3(key, b"dangjian:sm4-gcm")[:16]


def _hmac_sm3(key: bytes, data: bytes) -> bytes:
    mac = crypto_hmac.HMAC(key, hashes.SM3())
    mac.update(data)
    return mac.finalize()


def _seal(mode: str, key: bytes, nonce: bytes, plain: bytes) -> bytes:
    if mode == AES:
        return _aesgcm(key).encrypt(nonce, plain, _AAD[AES])
    enc = Cipher(algorithms.SM4(_sm4_key(key)), modes.GCM(nonce)).encryptor()
    enc.authenticate_additional_data(_AAD[SM])
    return enc.update(plain) + enc.finalize() + enc.tag


def _open(mode: str, key: bytes, nonce: bytes, sealed: bytes) -> bytes:
    """Raises InvalidTag when the key does not fit or the data was changed."""
    if mode == AES:
        return _aesgcm(key).decrypt(nonce, sealed, _AAD[AES])
    body, tag = sealed[:-TAG_BYTES], sealed[-TAG_BYTES:]
    dec = Cipher(algorithms.SM4(_sm4_key(key)), modes.GCM(nonce, tag)).decryptor()
    dec.authenticate_additional_data(_AAD[SM])
    return dec.update(body) + dec.finalize()


# --------------------------------------------------------------------------
# Encryption and blind indexes
# --------------------------------------------------------------------------


def encrypt_text(plain: str) -> str:
    """Encrypt ``plain`` under the current key and mode, with a fresh random nonce."""
    if not isinstance(plain, str):
        raise TypeError(f"encrypt_text() expects str, got {type(plain).__name__}")
    mode = crypto_mode()
    nonce = os.urandom(NONCE_BYTES)
    sealed = _seal(mode, _key_from_settings(FIELD_KEY_SETTING), nonce, plain.encode("utf-8"))
    return PREFIX[mode] + base64.urlsafe_b64encode(nonce + sealed).decode("ascii")


def decrypt_text(token: str) -> str:
    """Decrypt a token made by :func:`encrypt_text` (under the current or an old key, either mode).

    Raises :class:`DecryptionError` if the token is malformed, tampered with,
    or was encrypted under a key that is not in the keyring.
    """
    return decrypt_with_status(token)[0]


def decrypt_with_status(token: str) -> tuple[str, bool]:
    """(plain text, whether the token is already in the current mode under the current key)."""
    mode = next((m for m, p in PREFIX.items() if isinstance(token, str) and token.startswith(p)), None)
    if mode is None:
        raise DecryptionError(
            f"Not an encrypted token (expected one of the prefixes {sorted(PREFIX.values())})."
        )
    try:
        blob = _b64decode(token[len(PREFIX[mode]) :])
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raise DecryptionError("Encrypted token is not valid base64.") from None
    if len(blob) < NONCE_BYTES + TAG_BYTES:
        raise DecryptionError("Encrypted token is too short.")
    current = _key_from_settings(FIELD_KEY_SETTING)
    for key in (current, *_old_field_keys()):
        try:
            plain = _open(mode, key, blob[:NONCE_BYTES], blob[NONCE_BYTES:])
        except InvalidTag:
            continue
        try:
            return plain.decode("utf-8"), (key == current and mode == crypto_mode())
        except UnicodeDecodeError:  # pragma: no cover - only possible with a forged key
            raise DecryptionError("Decrypted data is not valid UTF-8.") from None
    raise DecryptionError(
        "Encrypted token failed authentication (tampered data or wrong key)."
    )


def blind_index(value: str, *, purpose: str) -> str:
    """Return the hex HMAC (SHA-256, or SM3 in 国密 mode) of ``purpose + "\\x00" + value``.

    ``purpose`` (e.g. ``"id_number"``, ``"mobile"``) separates kinds of data so
    the same string hashes differently per kind. Normalize ``value`` first
    (the same way as when it was stored), otherwise lookups will miss.
    """
    if not isinstance(value, str):
        raise TypeError(f"blind_index() expects str, got {type(value).__name__}")
    if not purpose or "\x00" in purpose:
        raise ValueError("purpose must be a non-empty string without NUL characters")
    key = _key_from_settings(HASH_KEY_SETTING)
    data = _purpose_prefix(purpose) + value.encode("utf-8")
    if crypto_mode() == SM:
        return _hmac_sm3(key, data).hex()
    # hmac.digest: OpenSSL's one-shot HMAC, several times cheaper than building an hmac object.
    return hmac.digest(key, data, "sha256").hex()


@lru_cache(maxsize=64)
def _purpose_prefix(purpose: str) -> bytes:
    return purpose.encode("utf-8") + b"\x00"


# --------------------------------------------------------------------------
# Model field
# --------------------------------------------------------------------------


@lru_cache(maxsize=64)
def _import_normalizer(path: str) -> Callable[[str], str]:
    normalizer = import_string(path)
    if not callable(normalizer):
        raise ImproperlyConfigured(f"Normalizer {path!r} is not callable.")
    return normalizer  # type: ignore[no-any-return]


class EncryptedCharField(models.TextField):
    """A text field encrypted at rest with :func:`encrypt_text`.

    In Python the attribute is always the plain ``str`` (or ``None``); the
    database column holds the ``"v1:..."`` token. ``None`` and ``""`` are
    stored as-is (unencrypted) so ``null``/``blank`` keep their meaning.

    Options:

    ``normalizer``
        Dotted path of a ``str -> str`` callable (e.g.
        ``"core.idnumber.normalize_id_number"``) applied in :meth:`to_python`
        and therefore in ``full_clean()`` and on save.
    ``hash_field`` / ``hash_purpose``
        Name of a sibling field that receives
        ``blind_index(normalized_value, purpose=hash_purpose)`` (or ``None``
        for an empty value) whenever the model is saved. Use it for exact
        lookups and uniqueness, e.g.
        ``id_number_hash = models.CharField(max_length=64, null=True, unique=True)``
        and ``Model.objects.filter(id_number_hash=field.blind_index_for(raw))``.
    ``max_length``
        Applies to the plain value (form and model validation), not to the column.

    Caveats:

    * The hash field MUST be declared AFTER the encrypted field: the hash is
      set from :meth:`pre_save`, which ``Model.save()`` and
      ``QuerySet.bulk_create()`` call per field in declaration order, so a
      hash column listed earlier would already have been read. A system check
      (``core.E002``) enforces this.
    * Paths that skip ``pre_save`` do not refresh the hash: ``QuerySet.update()``,
      ``bulk_update()`` and raw saves (``loaddata``). Set the hash yourself there,
      and include both fields in ``save(update_fields=...)``.
    * The column cannot be searched: every lookup except ``isnull`` raises
      ``FieldError``. ``unique=True`` is rejected by a system check; put the
      uniqueness constraint on the hash field.
    """

    description = "Text encrypted at rest (AES-256-GCM, or SM4-GCM in 国密 mode)"

    def __init__(
        self,
        *args: Any,
        hash_field: str | None = None,
        hash_purpose: str = "",
        normalizer: str | None = None,
        **kwargs: Any,
    ) -> None:
        if hash_field is not None and not hash_purpose:
            raise ValueError(
                "EncryptedCharField(hash_field=...) also needs hash_purpose."
            )
        if hash_purpose and "\x00" in hash_purpose:
            raise ValueError("hash_purpose must not contain NUL characters.")
        if normalizer is not None and not isinstance(normalizer, str):
            raise TypeError(
                "normalizer must be a dotted path string (for stable migrations)."
            )
        self.hash_field = hash_field
        self.hash_purpose = hash_purpose
        self.normalizer = normalizer
        super().__init__(*args, **kwargs)
        if self.max_length is not None:
            # Like CharField: enforce max_length on the plain value in full_clean().
            self.validators.append(validators.MaxLengthValidator(self.max_length))

    # -- migrations -------------------------------------------------------

    def deconstruct(self) -> tuple[str, str, list[Any], dict[str, Any]]:
        name, path, args, kwargs = super().deconstruct()
        if self.hash_field is not None:
            kwargs["hash_field"] = self.hash_field
        if self.hash_purpose:
            kwargs["hash_purpose"] = self.hash_purpose
        if self.normalizer is not None:
            kwargs["normalizer"] = self.normalizer
        return name, path, args, kwargs

    # -- system checks ----------------------------------------------------

    def check(self, **kwargs: Any) -> list[checks.CheckMessage]:
        return [
            *super().check(**kwargs),
            *self._check_not_unique(),
            *self._check_normalizer(),
            *self._check_hash_field(),
        ]

    def _check_not_unique(self) -> list[checks.CheckMessage]:
        if self.unique:  # also true for primary_key=True
            return [
                checks.Error(
                    "EncryptedCharField cannot be unique or a primary key: ciphertexts "
                    "are randomized.",
                    hint="Put unique=True on the blind-index field named by hash_field.",
                    obj=self,
                    id="core.E003",
                )
            ]
        return []

    def _check_normalizer(self) -> list[checks.CheckMessage]:
        if self.normalizer is None:
            return []
        try:
            _import_normalizer(self.normalizer)
        except (ImportError, ImproperlyConfigured) as exc:
            return [
                checks.Error(
                    f"normalizer {self.normalizer!r} cannot be imported: {exc}",
                    obj=self,
                    id="core.E004",
                )
            ]
        return []

    def _check_hash_field(self) -> list[checks.CheckMessage]:
        if self.hash_field is None:
            return []
        opts = self.model._meta
        try:
            target = opts.get_field(self.hash_field)
        except FieldDoesNotExist:
            return [
                checks.Error(
                    f"hash_field refers to the non-existent field {self.hash_field!r}.",
                    obj=self,
                    id="core.E001",
                )
            ]
        concrete = list(opts.concrete_fields)
        if (
            target is self
            or target not in concrete
            or concrete.index(target) < concrete.index(self)
        ):
            return [
                checks.Error(
                    f"hash_field {self.hash_field!r} must be a concrete field declared "
                    f"after {self.name!r}.",
                    hint="pre_save() sets the hash, and Django reads fields in declaration order.",
                    obj=self,
                    id="core.E002",
                )
            ]
        max_length = getattr(target, "max_length", None)
        if max_length is not None and max_length < 64:
            return [
                checks.Error(
                    f"hash_field {self.hash_field!r} needs max_length >= 64 for a hex "
                    "HMAC-SHA256 digest.",
                    obj=self,
                    id="core.E005",
                )
            ]
        return []

    # -- Python <-> database ------------------------------------------------

    def to_python(self, value: Any) -> str | None:
        value = super().to_python(value)
        if value and self.normalizer is not None:
            value = _import_normalizer(self.normalizer)(value)
        return value

    def from_db_value(
        self, value: str | None, expression: Any, connection: BaseDatabaseWrapper
    ) -> str | None:
        if value is None or value == "":
            return value
        return decrypt_text(value)

    def get_prep_value(self, value: Any) -> str | None:
        value = super().get_prep_value(
            value
        )  # resolves lazy strings, calls to_python()
        if value is None or value == "":
            return value
        return encrypt_text(value)

    def blind_index_for(self, value: str | None) -> str | None:
        """Normalize ``value`` like a save would and return its blind index (``None`` if empty).

        Use it to query the hash field:
        ``Member.objects.filter(id_number_hash=field.blind_index_for(raw))``.
        """
        if not self.hash_purpose:
            raise ImproperlyConfigured(f"Field {self.name!r} has no hash_purpose.")
        plain = self.to_python(value)
        if plain is None or plain == "":
            return None
        return blind_index(plain, purpose=self.hash_purpose)

    def pre_save(self, model_instance: models.Model, add: bool) -> str | None:
        value = self.to_python(getattr(model_instance, self.attname))
        setattr(model_instance, self.attname, value)
        if self.hash_field is not None:
            digest = (
                blind_index(value, purpose=self.hash_purpose)
                if value not in (None, "")
                else None
            )
            setattr(model_instance, self.hash_field, digest)
        return value

    def formfield(self, **kwargs: Any) -> Any:
        # A single-line input (TextField would give a Textarea).
        return models.Field.formfield(self, **{"max_length": self.max_length, **kwargs})

    # -- lookups ------------------------------------------------------------

    def _unsearchable(self, lookup_name: str) -> FieldError:
        where = (
            f"{self.model._meta.label}.{self.name}"
            if hasattr(self, "model")
            else self.name
        )
        hint = (
            f"; filter on {self.hash_field!r} with blind_index_for(value) instead"
            if self.hash_field
            else ""
        )
        return FieldError(
            f"Unsupported lookup {lookup_name!r} on encrypted field {where}: the column "
            f"holds randomized ciphertext, only 'isnull' is supported{hint}."
        )

    def get_lookup(self, lookup_name: str) -> type[Lookup] | None:
        if lookup_name != "isnull":
            raise self._unsearchable(lookup_name)
        return super().get_lookup(lookup_name)

    def get_transform(self, lookup_name: str) -> type[Transform] | None:
        raise self._unsearchable(lookup_name)


if (
    __name__ == "__main__"
):  # pragma: no cover - `python -m core.crypto` prints a fresh key
    print(generate_key())
