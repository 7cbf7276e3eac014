"""The member registry's pages, by topic: ``records`` (a member's pages), ``roster``, ``registration``
(双报到, mobile members), ``transfers``, ``dues``, ``own`` (我的档案); ``common`` holds what they share.
"""
from .dues import dues_index, dues_tiers, stats
from .own import my_card, my_photo, my_record, my_register
from .records import (
    member_card_docx,
    member_card_pdf,
    member_create,
    member_detail,
    member_dues_pay,
    member_edit,
    member_index,
    member_photo,
    member_photo_remove,
    member_photo_set,
    member_transfer,
    member_user_link,
)
from .registration import dual_decide, dual_index, mobile_contact, mobile_index, mobile_inflow
from .roster import org_card, roster, roster_export
from .transfers import batch_confirm, transfer_decide, transfer_index

__all__ = [
    "batch_confirm",
    "dual_decide",
    "dual_index",
    "dues_index",
    "dues_tiers",
    "member_card_docx",
    "member_card_pdf",
    "member_create",
    "member_detail",
    "member_dues_pay",
    "member_edit",
    "member_index",
    "member_photo",
    "member_photo_remove",
    "member_photo_set",
    "member_transfer",
    "my_register",
    "member_user_link",
    "mobile_contact",
    "mobile_index",
    "mobile_inflow",
    "my_card",
    "my_photo",
    "my_record",
    "org_card",
    "roster",
    "roster_export",
    "stats",
    "transfer_decide",
    "transfer_index",
]
