from .charity import charity, charity_account, charity_item_new, charity_xlsx, donation_new, handout_new
from .errands import errand_detail, errand_list, errand_new
from .jobs import job_detail, job_list, job_new, job_stats, seeker_list, training_new
from .orders import (
    catalogue,
    order_detail,
    order_list,
    order_new,
    provider_detail,
    provider_new,
    provider_order,
    provider_orders,
    service_new,
)
from .venues import duty, shift_new, venue_detail, venue_list, venue_new

__all__ = [
    "catalogue", "service_new", "provider_new", "provider_detail", "order_list", "order_new", "order_detail",
    "provider_orders", "provider_order", "errand_list", "errand_new", "errand_detail", "job_list", "job_new",
    "job_detail", "seeker_list", "training_new", "job_stats", "charity", "charity_item_new", "donation_new",
    "handout_new", "charity_account", "charity_xlsx", "venue_list", "venue_new", "venue_detail", "duty",
    "shift_new",
]
