"""A member's history (MemberEvent) is append-only three times over, like the audit log and the pledge
trail: the model, its queryset and a database trigger on both databases."""

from datetime import date

import pytest
from django.contrib.auth import get_user_model
from django.db import DatabaseError, connection, transaction

from members.models import AppendOnlyError, MemberEvent

from .conftest import add_member

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(tree, personas):
    member = add_member(tree.east1_org)
    return MemberEvent.objects.create(member=member, kind="登记", new_value="正式党员", on=date(2020, 7, 1),
                                      actor=personas.secretary)


def test_the_model_refuses_to_change_or_remove_an_entry(event):
    event.note = "改写"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()


def test_the_queryset_refuses_bulk_changes(event):
    with pytest.raises(AppendOnlyError):
        MemberEvent.objects.filter(pk=event.pk).update(note="改写")
    with pytest.raises(AppendOnlyError):
        MemberEvent.objects.filter(pk=event.pk).delete()


@pytest.mark.parametrize("column, value", [("note", "改写"), ("kind", "出党"), ("on", "2021-01-01")])
def test_the_database_refuses_to_change_an_entry(event, column, value):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
        cur.execute(f'UPDATE members_memberevent SET "{column}" = %s WHERE id = %s', [value, event.pk])
    assert MemberEvent.objects.get(pk=event.pk).kind == "登记"


def test_a_deleted_account_leaves_the_entry_without_its_actor(event):
    actor = get_user_model().objects.create_user("short-lived", password="x")
    with connection.cursor() as cur:  # the one column the trigger leaves out
        cur.execute("UPDATE members_memberevent SET actor_id = %s WHERE id = %s", [actor.pk, event.pk])
    actor.delete()
    assert MemberEvent.objects.get(pk=event.pk).actor_id is None
