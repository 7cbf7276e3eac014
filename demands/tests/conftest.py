import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from demands import services
from demands.models import ApiKey, Category, Channel


@pytest.fixture(autouse=True)
def default_categories(db):
    """The data migration's categories (flushed by transactional tests, so ensure them here)."""
    from demands.defaults import DEFAULT_CATEGORIES

    for i, (code, name, group, resp, handle, wh, level, loc) in enumerate(DEFAULT_CATEGORIES):
        Category.objects.get_or_create(code=code, defaults=dict(
            name=name, group=group, response_minutes=resp, handling_minutes=handle, working_hours_only=wh,
            default_level=level, needs_location=loc, sort_order=i * 10))


@pytest.fixture(autouse=True)
def _fresh_work_calendar():
    """Calendar rows of a test vanish with its rolled-back transaction: start and end each test
    with an empty process snapshot."""
    from demands.workcalendar import invalidate

    invalidate()
    yield
    invalidate()


@pytest.fixture
def convenience(db):
    return Category.objects.get(code="convenience")


@pytest.fixture
def sanitation(db):
    return Category.objects.get(code="sanitation")  # needs a location


def png(name="photo.png") -> SimpleUploadedFile:
    buf = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 30, 30)).save(buf, "PNG")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/png")


@pytest.fixture
def make_demand(personas, tree, convenience):
    def _make(region=None, actor=None, **kw):
        data = dict(channel=Channel.HOTLINE, category=convenience, title="楼道灯不亮",
                    description="三单元楼道灯坏了", caller_name="张三", caller_phone="13812345678")
        data.update(kw)
        return services.demand_create(actor=actor or personas.secretary, region=region or tree.east1, **data)

    return _make


@pytest.fixture
def api_key(tree):
    return ApiKey.objects.create(name="测试客户端", region=tree.district, key="test-key-123")
