"""payments_visible_to: the five states partition every payment on any day, and each caller sees only its scope."""


import pytest

from payments_api.payments.models import AnticipationStatus, Payment, PaymentStatus
from payments_api.payments.errors import AnticipationAlreadyExists, InvalidNewDueDate, NotPaymentOwner
from payments_api.payments.selectors import (
    anticipation_quote,
    anticipation_quote_dates,
    anticipation_quote_options,
    anticipation_quotes,
    anticipations_visible_to,
    payments_visible_to,
)
from payments_api.payments.tests.factories import AnticipationFactory, PaymentFactory, days

PENDING = AnticipationStatus.PENDING_CONFIRMATION
APPROVED = AnticipationStatus.APPROVED
DENIED = AnticipationStatus.DENIED


def payment_in(supplier, *, due: int, anticipation: str | None = None, new_due: int = -5):
    """A payment due `due` days from today, with an anticipation in status `anticipation` if given."""
    payment = PaymentFactory(supplier=supplier, creation_date=days(-60), due_date=days(due))
    if anticipation is not None:
        AnticipationFactory(payment=payment, status=anticipation, new_due_date=days(min(new_due, due - 1)))
    return payment


# name: (due date offset, anticipation status, the state it must be in)
SITUATIONS = {
    "no anticipation, due in the future": (10, None, PaymentStatus.AVAILABLE),
    "no anticipation, due tomorrow": (1, None, PaymentStatus.AVAILABLE),
    "no anticipation, due today": (0, None, PaymentStatus.UNAVAILABLE),
    "no anticipation, due in the past": (-10, None, PaymentStatus.UNAVAILABLE),
    "pending, due in the future": (10, PENDING, PaymentStatus.PENDING_CONFIRMATION),
    "pending, due today": (0, PENDING, PaymentStatus.UNAVAILABLE),
    "pending, due in the past": (-10, PENDING, PaymentStatus.UNAVAILABLE),
    "approved, due in the future": (10, APPROVED, PaymentStatus.ANTICIPATED),
    "approved, due in the past": (-10, APPROVED, PaymentStatus.ANTICIPATED),
    "denied, due in the future": (10, DENIED, PaymentStatus.DENIED),
    "denied, due in the past": (-10, DENIED, PaymentStatus.DENIED),
}


@pytest.fixture
def every_situation(supplier):
    """One payment per situation, keyed by the situation's name."""
    return {name: payment_in(supplier, due=due, anticipation=status) for name, (due, status, _) in SITUATIONS.items()}


def test_every_payment_is_in_exactly_one_state_and_the_expected_one(supplier, every_situation):
    by_state = {
        state: set(payments_visible_to(user=supplier.user, status=state).values_list("pk", flat=True))
        for state in PaymentStatus.values
    }

    for name, payment in every_situation.items():
        states = [state for state, pks in by_state.items() if payment.pk in pks]
        assert states == [SITUATIONS[name][2]], name


def test_the_five_states_cover_every_payment(supplier, every_situation):
    every = set(payments_visible_to(user=supplier.user).values_list("pk", flat=True))
    union = set().union(
        *(payments_visible_to(user=supplier.user, status=state).values_list("pk", flat=True) for state in PaymentStatus)
    )

    assert every == union == {payment.pk for payment in every_situation.values()}


def test_every_state_is_reached(supplier, every_situation):
    for state in PaymentStatus.values:
        assert payments_visible_to(user=supplier.user, status=state).exists(), state


def test_the_state_of_each_payment_is_the_state_whose_filter_holds_it(supplier, every_situation):
    for state in PaymentStatus.values:
        filtered = payments_visible_to(user=supplier.user, status=state)
        assert filtered.exists()
        assert {payment.status_on(days(0)) for payment in filtered} == {state}


def test_the_state_of_each_payment_in_the_unfiltered_list_matches_its_situation(supplier, every_situation):
    statuses = {payment.pk: payment.status_on(days(0)) for payment in payments_visible_to(user=supplier.user)}

    for name, payment in every_situation.items():
        assert statuses[payment.pk] == SITUATIONS[name][2], name


def test_a_payment_loaded_without_the_selector_knows_its_state(supplier, every_situation):
    for name, payment in every_situation.items():
        assert Payment.objects.get(pk=payment.pk).status_on(days(0)) == SITUATIONS[name][2], name


@pytest.mark.parametrize("offset", [-1, 0, 1])
def test_the_filter_and_the_state_agree_on_any_day(supplier, every_situation, offset):
    today = days(offset)
    for state in PaymentStatus.values:
        filtered = payments_visible_to(user=supplier.user, status=state, today=today)
        assert {payment.status_on(today) for payment in filtered} <= {state}


def test_a_blank_status_lists_every_payment(supplier, every_situation):
    assert payments_visible_to(user=supplier.user, status="").count() == len(SITUATIONS)


def test_the_list_is_ordered_by_id(supplier, every_situation):
    pks = list(payments_visible_to(user=supplier.user).values_list("pk", flat=True))

    assert pks == sorted(pks)


# --- scoping ---------------------------------------------------------------------------------------------------------


@pytest.fixture
def two_suppliers_payments(supplier, other_supplier):
    own = [payment_in(supplier, due=10), payment_in(supplier, due=10, anticipation=PENDING)]
    others = [payment_in(other_supplier, due=10), payment_in(other_supplier, due=10, anticipation=PENDING)]
    return own, others


def pks(queryset) -> set[int]:
    return set(queryset.values_list("pk", flat=True))


def test_a_supplier_sees_only_its_own_payments(supplier, two_suppliers_payments):
    own, _ = two_suppliers_payments

    assert pks(payments_visible_to(user=supplier.user)) == {payment.pk for payment in own}


@pytest.mark.parametrize("state", [PaymentStatus.AVAILABLE, PaymentStatus.PENDING_CONFIRMATION])
def test_a_status_filter_does_not_widen_a_suppliers_scope(supplier, two_suppliers_payments, state):
    own, others = two_suppliers_payments

    visible = pks(payments_visible_to(user=supplier.user, status=state))
    assert len(visible) == 1
    assert visible <= {payment.pk for payment in own}
    assert not visible & {payment.pk for payment in others}


def test_an_operator_sees_every_payment(operator, two_suppliers_payments):
    own, others = two_suppliers_payments

    assert pks(payments_visible_to(user=operator)) == {payment.pk for payment in own + others}


def test_a_user_that_is_neither_supplier_nor_operator_sees_no_payment(plain_user, two_suppliers_payments):
    assert not payments_visible_to(user=plain_user).exists()
    assert not payments_visible_to(user=plain_user, status=PaymentStatus.AVAILABLE).exists()


def test_anticipations_are_scoped_like_payments(supplier, other_supplier, operator, plain_user, two_suppliers_payments):
    own, others = two_suppliers_payments
    own_anticipation, other_anticipation = own[1].anticipation, others[1].anticipation

    assert list(anticipations_visible_to(user=supplier.user)) == [own_anticipation]
    assert list(anticipations_visible_to(user=other_supplier.user)) == [other_anticipation]
    assert list(anticipations_visible_to(user=operator)) == [other_anticipation, own_anticipation]  # newest first
    assert not anticipations_visible_to(user=plain_user).exists()


# --- quotes of several payments at once -----------------------------------------------------------------------------


@pytest.fixture
def several(supplier):
    return [PaymentFactory(supplier=supplier, creation_date=days(-5), due_date=days(30 + n * 7)) for n in range(4)]


def test_several_quotes_are_each_payments_quote(supplier, several, django_assert_max_num_queries):
    AnticipationFactory(payment=several[1], new_due_date=days(5))
    day = anticipation_quote_options(payment=several[0], quoted_by=supplier.user).dates[3]

    with django_assert_max_num_queries(2):
        quotes = anticipation_quotes(payments=several, new_due_date=day, quoted_by=supplier.user)

    assert isinstance(quotes[1], AnticipationAlreadyExists)
    for payment, quote in zip([several[0], *several[2:]], [quotes[0], *quotes[2:]]):
        assert quote == anticipation_quote(payment=payment, new_due_date=day, quoted_by=supplier.user)


def test_several_quotes_refuse_what_a_request_would(supplier, other_supplier, several):
    theirs = PaymentFactory(supplier=other_supplier)

    quotes = anticipation_quotes(payments=[several[0], theirs], new_due_date=days(40), quoted_by=supplier.user)

    assert [type(quote) for quote in quotes] == [InvalidNewDueDate, NotPaymentOwner]


def test_several_payments_dates_are_each_payments_quote_options(supplier, several, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        dates = anticipation_quote_dates(payments=several, quoted_by=supplier.user)

    assert dates == {
        payment.pk: list(anticipation_quote_options(payment=payment, quoted_by=supplier.user).dates)
        for payment in several
    }
    AnticipationFactory(payment=several[2], new_due_date=days(5))
    with pytest.raises(AnticipationAlreadyExists):
        anticipation_quote_dates(payments=several, quoted_by=supplier.user)
