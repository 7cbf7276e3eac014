"""Member photo files follow the database transaction: a photo written inside a transaction that rolls back
(the service's own, a savepoint, or an outer one such as a demo step or a caller's `atomic`) leaves no file
behind; the file a replacement or removal supersedes is deleted only once the change commits."""

import gc
from pathlib import Path

import pytest
from django.db import transaction

from members import services
from members.models import PartyMember

from .test_photo import image_bytes, upload


class Boom(Exception):
    pass


def stored_files(settings) -> list[str]:
    root = Path(settings.PRIVATE_MEDIA_ROOT) / "members" / "photos"
    return sorted(p.name for p in root.iterdir()) if root.exists() else []


def photo_path(member) -> Path | None:
    m = PartyMember.objects.get(pk=member.pk)
    return Path(m.photo.path) if m.photo else None


# --------------------------------------------------------------------------
# Inside the test's transaction: the outer `atomic` below is a savepoint.
# --------------------------------------------------------------------------


@pytest.mark.django_db
def test_upload_rolled_back_by_an_outer_transaction_leaves_no_file(personas, members, settings):
    zs = members["zs"]
    with pytest.raises(Boom):
        with transaction.atomic():
            services.member_photo_set(actor=personas.secretary, member=zs, photo=upload(image_bytes()))
            written = photo_path(zs)
            assert written.exists()  # readable inside the transaction (detail page, cards)
            raise Boom
    assert not written.exists() and stored_files(settings) == []
    assert not PartyMember.objects.get(pk=zs.pk).photo


@pytest.mark.django_db
def test_replacement_rolled_back_keeps_the_old_photo_and_drops_the_new_file(personas, members, settings,
                                                                           django_capture_on_commit_callbacks):
    zs = members["zs"]
    with django_capture_on_commit_callbacks(execute=True):
        services.member_photo_set(actor=personas.secretary, member=zs, photo=upload(image_bytes()))
    old = photo_path(zs)
    with pytest.raises(Boom):
        with transaction.atomic():
            services.member_photo_set(actor=personas.secretary, member=zs,
                                      photo=upload(image_bytes(color=(0, 120, 0))))
            new = photo_path(zs)
            assert new != old and new.exists() and old.exists()
            raise Boom
    assert old.exists() and not new.exists()
    assert photo_path(zs) == old and stored_files(settings) == [old.name]


@pytest.mark.django_db
def test_removal_rolled_back_keeps_the_file(personas, members, settings, django_capture_on_commit_callbacks):
    zs = members["zs"]
    with django_capture_on_commit_callbacks(execute=True):
        services.member_photo_set(actor=personas.secretary, member=zs, photo=upload(image_bytes()))
    old = photo_path(zs)
    with pytest.raises(Boom):
        with transaction.atomic():
            services.member_photo_remove(actor=personas.secretary, member=zs)
            raise Boom
    assert old.exists() and photo_path(zs) == old


@pytest.mark.django_db
def test_successful_replacement_deletes_the_old_file_only_on_commit(personas, members, settings,
                                                                   django_capture_on_commit_callbacks):
    zs = members["zs"]
    with django_capture_on_commit_callbacks(execute=True):
        services.member_photo_set(actor=personas.secretary, member=zs, photo=upload(image_bytes()))
    old = photo_path(zs)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.member_photo_set(actor=personas.secretary, member=zs, photo=upload(image_bytes(color=(0, 0, 200))))
        new = photo_path(zs)
        assert old.exists() and new.exists()  # not committed yet: both files are still there
    for fn in callbacks:  # the commit
        fn()
    assert not old.exists() and new.exists() and stored_files(settings) == [new.name]


@pytest.mark.django_db
def test_service_failure_after_writing_leaves_no_file(personas, members, settings, monkeypatch):
    """The service's own transaction rolls back (here: the audit write fails) after the file was written."""
    zs = members["zs"]

    def failing_record(**kwargs):
        raise Boom

    monkeypatch.setattr("members.services.photos.record", failing_record)
    with pytest.raises(Boom):
        services.member_photo_set(actor=personas.secretary, member=zs, photo=upload(image_bytes()))
    assert stored_files(settings) == [] and not PartyMember.objects.get(pk=zs.pk).photo


# --------------------------------------------------------------------------
# Real commits and rollbacks (no test transaction around them).
# --------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_real_commit_keeps_the_new_file_and_deletes_the_old_one(personas, members, settings):
    zs = members["zs"]
    services.member_photo_set(actor=personas.secretary, member=zs, photo=upload(image_bytes()))
    first = photo_path(zs)
    gc.collect()
    assert first.exists()
    services.member_photo_set(actor=personas.secretary, member=zs, photo=upload(image_bytes(color=(9, 9, 9))))
    second = photo_path(zs)
    gc.collect()
    assert second.exists() and not first.exists() and stored_files(settings) == [second.name]
    services.member_photo_remove(actor=personas.secretary, member=zs)
    assert not second.exists() and stored_files(settings) == []


@pytest.mark.django_db(transaction=True)
def test_real_rollback_of_the_outermost_transaction_leaves_no_file(personas, members, settings):
    zs = members["zs"]
    services.member_photo_set(actor=personas.secretary, member=zs, photo=upload(image_bytes()))
    kept = photo_path(zs)
    with pytest.raises(Boom):
        with transaction.atomic():
            services.member_photo_set(actor=personas.secretary, member=zs, photo=upload(image_bytes(color=(1, 2, 3))))
            new = photo_path(zs)
            raise Boom
    gc.collect()
    assert kept.exists() and not new.exists() and stored_files(settings) == [kept.name]
    assert photo_path(zs) == kept


@pytest.mark.django_db(transaction=True)
def test_committed_photo_survives_a_failing_commit_hook_of_the_same_transaction(personas, members, settings):
    """Django stops running commit hooks at the first one that raises; the photo has been committed all the
    same, so its file must stay (an orphan old file is the lesser evil than a record without its photo)."""
    zs = members["zs"]

    def failing_hook():
        raise Boom

    with pytest.raises(Boom) as excinfo:
        with transaction.atomic():
            transaction.on_commit(failing_hook)  # registered first: runs, and raises, before the photo's hooks
            services.member_photo_set(actor=personas.secretary, member=zs, photo=upload(image_bytes()))
    del excinfo  # frees the hooks Django did not run
    gc.collect()
    committed = photo_path(zs)
    assert committed is not None and committed.exists()
