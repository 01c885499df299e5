"""Administration: staff accounts, shops, categories and mediation organisations."""

from __future__ import annotations

import pytest
from flask_babel import refresh
from sqlalchemy import select

from complaints.extensions import db
from complaints.models import Category, MediationOrganisation, Merchant, Role, User
from tests.support import PASSWORD

STRONG = "desk-shift-2026"


def new_staff(**overrides) -> dict:
    data = {"name": "王芳", "email": "wangfang@example.com", "role": "agent", "password": STRONG}
    data.update(overrides)
    return data


def user_by_email(app, email: str) -> User | None:
    with app.app_context():
        return db.session.scalar(select(User).where(User.email == email))


@pytest.fixture
def as_admin(auth, world):
    auth.login(world.admin.email)


# --- Staff accounts -------------------------------------------------------------------------


def test_admin_creates_an_agent_who_can_then_sign_in(app, client, auth, as_admin):
    response = client.post("/admin/users/new", data=new_staff())
    assert response.status_code == 302
    created = user_by_email(app, "wangfang@example.com")
    assert created.role is Role.AGENT and created.active
    assert "wangfang@example.com" in client.get("/admin/users").text

    auth.logout()
    signed_in = auth.login("wangfang@example.com", STRONG)
    assert signed_in.status_code == 302
    assert signed_in.headers["Location"].endswith("/desk/")


def test_a_mediator_needs_an_organisation(app, client, as_admin):
    response = client.post("/admin/users/new", data=new_staff(role="mediator", mediation_org_id=""))
    assert response.status_code == 400
    assert "A mediator belongs to a mediation organisation." in response.text
    assert 'id="mediation_org_id-error"' in response.text
    assert user_by_email(app, "wangfang@example.com") is None


def test_admin_creates_a_mediator_of_an_organisation(app, client, auth, world, as_admin):
    response = client.post(
        "/admin/users/new", data=new_staff(role="mediator", mediation_org_id=str(world.org_id))
    )
    assert response.status_code == 302
    assert user_by_email(app, "wangfang@example.com").mediation_org_id == world.org_id

    auth.logout()
    assert auth.login("wangfang@example.com", STRONG).headers["Location"].endswith("/mediation/")


def test_merchant_staff_belong_to_an_existing_shop(app, client, world, as_admin):
    unknown = client.post("/admin/users/new", data=new_staff(role="merchant", shop_code="NO-SUCH-SHOP"))
    assert unknown.status_code == 400
    assert "No shop has the code NO-SUCH-SHOP." in unknown.text

    response = client.post("/admin/users/new", data=new_staff(role="merchant", shop_code="SHOP-A"))
    assert response.status_code == 302
    assert user_by_email(app, "wangfang@example.com").merchant_id == world.merchant_ids[0]


def test_a_duplicate_email_is_refused(client, world, as_admin):
    response = client.post("/admin/users/new", data=new_staff(email=world.agent.email.upper()))
    assert response.status_code == 400
    assert "An account with this email already exists." in response.text


@pytest.mark.parametrize(
    "password, rule",
    [("short-1", "Use at least 10 characters."), ("onlyletterslong", "Mix letters with digits or symbols.")],
)
def test_a_weak_password_is_refused_with_the_rule(app, client, as_admin, password, rule):
    response = client.post("/admin/users/new", data=new_staff(password=password))
    assert response.status_code == 400
    assert rule in response.text
    assert 'id="password-error"' in response.text
    assert user_by_email(app, "wangfang@example.com") is None


def test_a_consumer_account_cannot_be_created_here(app, client, as_admin):
    response = client.post("/admin/users/new", data=new_staff(role="consumer"))
    assert response.status_code == 400
    assert user_by_email(app, "wangfang@example.com") is None


def test_a_deactivated_user_cannot_sign_in_until_activated_again(app, client, auth, world, as_admin):
    response = client.post(f"/admin/users/{world.agent.id}/active", data={"active": "0"})
    assert response.status_code == 302
    assert user_by_email(app, world.agent.email).active is False
    assert "Deactivated" in client.get("/admin/users?role=agent").text

    auth.logout()
    refused = auth.login(world.agent.email)
    assert refused.status_code == 400
    assert "Email or password is wrong." in refused.text

    auth.login(world.admin.email)
    client.post(f"/admin/users/{world.agent.id}/active", data={"active": "1"})
    auth.logout()
    assert auth.login(world.agent.email).status_code == 302


def test_deactivation_ends_the_users_open_session(app, world):
    def visit(browser, method, path, **kwargs):
        # Each request in its own app context: the `world` fixture keeps one pushed for the
        # whole test, and Flask-Login caches the signed-in user on its `g`.
        with app.app_context():
            return getattr(browser, method)(path, **kwargs)

    agent_browser, admin_browser = app.test_client(), app.test_client()
    visit(agent_browser, "post", "/login", data={"email": world.agent.email, "password": PASSWORD})
    assert visit(agent_browser, "get", "/desk/").status_code == 200

    visit(admin_browser, "post", "/login", data={"email": world.admin.email, "password": PASSWORD})
    visit(admin_browser, "post", f"/admin/users/{world.agent.id}/active", data={"active": "0"})

    response = visit(agent_browser, "get", "/desk/")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_an_admin_cannot_deactivate_themselves(app, client, world, as_admin):
    response = client.post(f"/admin/users/{world.admin.id}/active", data={"active": "0"})
    assert response.status_code == 409
    assert "You cannot deactivate your own account." in response.text
    assert user_by_email(app, world.admin.email).active is True


def test_users_are_filtered_by_role(client, world, as_admin):
    page = client.get("/admin/users?role=mediator")
    assert world.mediator.email in page.text
    assert world.agent.email not in page.text
    assert "上海消费纠纷调解中心" in page.text  # the mediator's organisation


def test_toggling_an_unknown_user_is_not_found(client, as_admin):
    assert client.post("/admin/users/99999/active", data={"active": "0"}).status_code == 404


# --- Shops, categories, organisations -------------------------------------------------------


def test_admin_adds_and_edits_a_shop(app, client, as_admin):
    response = client.post(
        "/admin/merchants/new",
        data={
            "shop_code": "SHOP-C",
            "name": "晨光文具",
            "contact_email": "Service@Chenguang.example",
            "active": "y",
        },
    )
    assert response.status_code == 302
    assert "晨光文具" in client.get("/admin/merchants").text
    with app.app_context():
        shop = db.session.scalar(select(Merchant).where(Merchant.shop_code == "SHOP-C"))
        shop_id = shop.id
        assert shop.contact_email == "service@chenguang.example"

    form = client.get(f"/admin/merchants/{shop_id}")
    assert form.status_code == 200 and 'value="SHOP-C"' in form.text
    edited = client.post(
        f"/admin/merchants/{shop_id}", data={"shop_code": "SHOP-C", "name": "晨光文具旗舰店"}
    )
    assert edited.status_code == 302
    with app.app_context():
        shop = db.session.get(Merchant, shop_id)
        assert shop.name == "晨光文具旗舰店"
        assert shop.active is False  # the box was left unticked


def test_a_duplicate_shop_code_is_refused_beside_the_field(app, client, world, as_admin):
    response = client.post("/admin/merchants/new", data={"shop_code": "SHOP-A", "name": "Copycat"})
    assert response.status_code == 400
    assert "Another shop already has this shop code." in response.text
    assert 'id="shop_code-error"' in response.text

    renamed = client.post(
        f"/admin/merchants/{world.merchant_ids[1]}",
        data={"shop_code": "SHOP-A", "name": "Green Valley Foods"},
    )
    assert renamed.status_code == 400
    with app.app_context():
        assert db.session.get(Merchant, world.merchant_ids[1]).shop_code == "SHOP-B"


def test_admin_adds_and_edits_a_category(app, client, world, as_admin):
    response = client.post(
        "/admin/categories/new",
        data={"code": "refund", "name_zh": "退款纠纷", "name_en": "Refunds", "active": "y"},
    )
    assert response.status_code == 302
    assert "退款纠纷" in client.get("/admin/categories").text

    category_id = world.category_ids[0]
    edited = client.post(
        f"/admin/categories/{category_id}",
        data={"code": "quality", "name_zh": "商品质量", "name_en": "Product quality and safety"},
    )
    assert edited.status_code == 302
    with app.app_context():
        category = db.session.get(Category, category_id)
        assert category.name_en == "Product quality and safety"
        assert category.active is False


def test_a_duplicate_category_code_is_refused_beside_the_field(client, as_admin):
    response = client.post(
        "/admin/categories/new", data={"code": "delivery", "name_zh": "快递", "name_en": "Courier"}
    )
    assert response.status_code == 400
    assert "Another category already has this code." in response.text
    assert 'id="code-error"' in response.text


def test_a_category_needs_both_names(client, as_admin):
    response = client.post(
        "/admin/categories/new", data={"code": "refund", "name_zh": "退款纠纷", "name_en": ""}
    )
    assert response.status_code == 400
    assert 'id="name_en-error"' in response.text


def test_admin_adds_renames_and_retires_a_mediation_organisation(app, client, world, as_admin):
    beijing = {
        "name": "北京消费者协会调解委员会",
        "name_en": "Beijing Consumer Association Mediation Committee",
    }
    response = client.post("/admin/organisations/new", data={**beijing, "active": "y"})
    assert response.status_code == 302
    refresh()  # the world fixture's app context outlives each request; Babel keeps the language in it
    english = client.get("/admin/organisations", headers={"Accept-Language": "en"}).text
    refresh()
    chinese = client.get("/admin/organisations", headers={"Accept-Language": "zh-CN"}).text
    assert beijing["name_en"] in english and beijing["name"] not in english
    assert beijing["name"] in chinese and beijing["name_en"] not in chinese

    edited = client.post(
        f"/admin/organisations/{world.other_org_id}",
        data={"name": "已停用的调解机构", "name_en": "Retired Mediation Org"},
    )
    assert edited.status_code == 302
    with app.app_context():
        organisation = db.session.get(MediationOrganisation, world.other_org_id)
        assert (organisation.name, organisation.name_en) == ("已停用的调解机构", "Retired Mediation Org")
        assert organisation.active is False


def test_a_duplicate_organisation_name_is_refused_beside_the_field(client, as_admin):
    response = client.post(
        "/admin/organisations/new",
        data={"name": "上海消费纠纷调解中心", "name_en": "New Centre", "active": "y"},
    )
    assert response.status_code == 400
    assert "Another mediation organisation already has this name." in response.text
    assert 'id="name-error"' in response.text


def test_an_english_name_another_organisation_has_in_any_case_is_refused_beside_its_field(client, as_admin):
    first = {"name": "杭州调解中心", "name_en": "Hangzhou Mediation Centre", "active": "y"}
    assert client.post("/admin/organisations/new", data=first).status_code == 302
    response = client.post(
        "/admin/organisations/new",
        data={"name": "新的调解中心", "name_en": "hangzhou mediation CENTRE", "active": "y"},
    )
    assert response.status_code == 400
    assert 'id="name_en-error"' in response.text and 'id="name-error"' not in response.text
    assert "Another mediation organisation already has this name." in response.text


@pytest.mark.parametrize(
    "names, field",
    [
        ({"name": "", "name_en": "Empty Chinese"}, "name"),
        ({"name": "空的英文名", "name_en": "   "}, "name_en"),
        ({"name": "长" * 201, "name_en": "Too long"}, "name"),
        ({"name": "太长的英文名", "name_en": "x" * 201}, "name_en"),
    ],
)
def test_an_organisation_needs_both_names_within_their_length(client, as_admin, names, field):
    response = client.post("/admin/organisations/new", data={**names, "active": "y"})
    assert response.status_code == 400
    assert f'id="{field}-error"' in response.text


@pytest.mark.parametrize(
    "path", ["/admin/merchants/99999", "/admin/categories/99999", "/admin/organisations/99999"]
)
def test_editing_something_unknown_is_not_found(client, as_admin, path):
    assert client.get(path).status_code == 404


# --- Who may enter --------------------------------------------------------------------------

ADMIN_PAGES = [
    ("get", "/admin/users"),
    ("get", "/admin/users/new"),
    ("post", "/admin/users/new"),
    ("post", "/admin/users/1/active"),
    ("get", "/admin/merchants"),
    ("get", "/admin/merchants/new"),
    ("get", "/admin/merchants/1"),
    ("post", "/admin/merchants/1"),
    ("get", "/admin/categories"),
    ("get", "/admin/categories/new"),
    ("get", "/admin/categories/1"),
    ("get", "/admin/organisations"),
    ("get", "/admin/organisations/new"),
    ("get", "/admin/organisations/1"),
]


@pytest.mark.parametrize("who", ["consumer", "agent", "supervisor", "mediator"])
def test_other_roles_are_forbidden_on_every_admin_page(client, auth, world, who):
    auth.login(getattr(world, who).email)
    for method, path in ADMIN_PAGES:
        assert getattr(client, method)(path).status_code == 403, (method, path)


def test_anonymous_visitors_are_sent_to_sign_in(client, world):
    for method, path in ADMIN_PAGES:
        response = getattr(client, method)(path)
        assert response.status_code == 302, (method, path)
        assert "/login" in response.headers["Location"]


def test_every_admin_page_opens_for_an_admin(client, world, as_admin):
    for method, path in ADMIN_PAGES:
        if method == "get":
            assert client.get(path).status_code == 200, path
