"""manage.py rotate_field_keys, in every direction: a new AES key, a new 国密 key, and AES → 国密. Old
ciphertexts stay readable until the pass is done; the pass is resumable and audited."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import override_settings

from audit.models import AuditAction, AuditEntry
from core.crypto import PREFIX, blind_index, decrypt_text, generate_key
from core.keyrotation import pending, rotate
from members.models import PartyMember
from members.tests.conftest import add_member

K1, H1, K2, H2 = generate_key(), generate_key(), generate_key(), generate_key()

DIRECTIONS = [("aes", "aes"), ("sm", "sm"), ("aes", "sm")]


def _raw(pk):
    with connection.cursor() as cur:
        cur.execute("SELECT id_number, id_number_hash, mobile, mobile_hash FROM members_partymember WHERE id = %s",
                    [pk])
        return cur.fetchone()


@pytest.fixture
def old_data(tree):
    def _make(mode):
        with override_settings(DANGJIAN_FIELD_KEY=K1, DANGJIAN_HASH_KEY=H1, DANGJIAN_CRYPTO=mode,
                               DANGJIAN_FIELD_KEYS_OLD=[]):
            people = [add_member(tree.east1_org, f"党员{i}", mobile=f"1391234567{i}") for i in range(5)]
            assert all(_raw(p.pk)[0].startswith(PREFIX[mode]) for p in people)
            return people

    return _make


def _new(mode, *, old=(K1,)):
    return override_settings(DANGJIAN_FIELD_KEY=K2, DANGJIAN_HASH_KEY=H2, DANGJIAN_CRYPTO=mode,
                             DANGJIAN_FIELD_KEYS_OLD=list(old))


@pytest.mark.parametrize("before, after", DIRECTIONS)
def test_rotation_re_encrypts_and_re_hashes_with_the_old_key_readable_until_done(old_data, before, after, tmp_path):
    people = old_data(before)
    with _new(after):
        # The service keeps working during the rotation: old ciphertexts read through the keyring.
        assert [PartyMember.objects.get(pk=p.pk).id_number for p in people] == [p.id_number for p in people]
        assert pending()["members.partymember"] == 5
        call_command("rotate_field_keys", batch=2, state=str(tmp_path / "state.json"))
        call_command("rotate_field_keys", check=True)
    with _new(after, old=()):  # the old key removed: everything reads under the new key alone
        for p in people:
            id_token, id_hash, mobile_token, mobile_hash = _raw(p.pk)
            assert id_token.startswith(PREFIX[after]) and mobile_token.startswith(PREFIX[after])
            assert decrypt_text(id_token) == p.id_number and decrypt_text(mobile_token) == p.mobile
            assert id_hash == blind_index(p.id_number, purpose="id_number")
            assert mobile_hash == blind_index(p.mobile, purpose="mobile")
            field = PartyMember._meta.get_field("id_number")
            assert PartyMember.objects.get(id_number_hash=field.blind_index_for(p.id_number)).pk == p.pk
    entries = AuditEntry.objects.filter(action=AuditAction.KEY_ROTATION)
    assert {e.changes.get("status") for e in entries} >= {"started", "table_done", "finished"}
    finished = entries.get(changes__status="finished")
    assert finished.changes["mode"] == after and K2 not in str(finished.changes)
    assert not (tmp_path / "state.json").exists()


@pytest.mark.parametrize("before, after", DIRECTIONS)
def test_an_interrupted_rotation_resumes_after_its_last_batch(old_data, before, after, tmp_path):
    people = old_data(before)
    state = tmp_path / "state.json"
    with _new(after):
        first = rotate(batch=2, state_path=state, only=["members.partymember"], max_batches=1)
        assert first.tables["members.partymember"].re_encrypted == 4  # two rows, two fields each
        assert state.exists()
        second = rotate(batch=2, state_path=state, only=["members.partymember"])
        assert second.resumed_from == {"members.partymember": people[1].pk}
        assert second.tables["members.partymember"].rows == 3
        assert "members.partymember" not in pending()


def test_a_row_saved_by_a_user_during_the_pass_is_not_overwritten(old_data, tmp_path):
    people = old_data("aes")
    with _new("sm"):
        from core import keyrotation

        real = keyrotation._new_values

        def racing(t, row):
            changes = real(t, row)
            if t.label == "members.partymember" and row[0] == people[0].pk:
                p = PartyMember.objects.get(pk=people[0].pk)
                p.mobile = "13900001111"
                p.save()  # a user's save between the read and the write
            return changes

        keyrotation._new_values = racing
        try:
            result = rotate(batch=10, only=["members.partymember"])
        finally:
            keyrotation._new_values = real
        assert result.tables["members.partymember"].skipped_changed == 1
        assert PartyMember.objects.get(pk=people[0].pk).mobile == "13900001111"
        assert not pending()


def test_without_the_old_key_the_rotation_stops_with_a_clear_message(old_data):
    old_data("aes")
    with _new("aes", old=()), pytest.raises(CommandError, match="无法用当前或旧密钥解密"):
        call_command("rotate_field_keys")


def test_check_reports_pending_rows(old_data):
    old_data("aes")
    with _new("aes"), pytest.raises(CommandError, match="仍在旧密钥或旧算法下"):
        call_command("rotate_field_keys", check=True)
