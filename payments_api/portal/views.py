"""The portal's pages: thin views that parse a form, call one of the API's services or selectors, and render."""

import datetime
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, cast
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.forms import PasswordChangeForm
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, QueryDict, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.dates import WEEKDAYS, WEEKDAYS_ABBR
from django.utils.formats import date_format, get_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from payments_api.common.csv_export import csv_response
from payments_api.common.exceptions import DomainError
from payments_api.common.formatting import format_money
from payments_api.common.throttling import login_wait
from payments_api.payments.batches import anticipation_batch_request
from payments_api.payments.models import AnticipationStatus, Payment, PaymentStatus
from payments_api.payments.pricing import annual_percentage
from payments_api.payments.selectors import (
    anticipation_quote_options,
    anticipations_visible_to,
    payments_visible_to,
)
from payments_api.payments.services import anticipation_request
from payments_api.portal.forms import (
    EVERY,
    AnticipationStatusForm,
    NewDueDateForm,
    PaymentFilterForm,
    SignInForm,
    MonthForm,
    SupplierLanguageForm,
)
from payments_api.portal.pages import (
    ADMIN_URL,
    portal_action,
    public_page,
    render_page,
    supplier_page,
    wants_part,
)
from payments_api.portal.refusals import refusal_message
from payments_api.portal.selectors import (
    SELECTION_MAX,
    anticipation_histories,
    payment_status_counts,
    picker_month,
    portal_anticipations,
    portal_payments,
    selection_dates,
    selection_payments,
    selection_quotes,
    statement_anticipations,
    supplier_home,
)
from payments_api.programme.selectors import month_start
from payments_api.users.models import Supplier, User
from payments_api.users.permissions import is_operator
from payments_api.users.services import supplier_save, user_password_set_record

PAYMENTS_PER_PAGE = 20
OPTIONS_PER_PAGE = 10
REQUESTS_PER_PAGE = 20
STATEMENT_MONTHS = 12
# Where the last batch's outcome waits in the session for its page (after the POST, a redirect).
BATCH_SESSION_KEY = "portal_batch"


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)


def _page_number(request: HttpRequest) -> str:
    return request.GET.get("page") or "1"


# --- signing in and out ---------------------------------------------------------------------------------------------


@public_page
@sensitive_post_parameters("password")
@csrf_protect
@require_http_methods(["GET", "HEAD", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    """E-mail and password; the POSTs count against the API's login limits (same limits, same counters)."""
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}, require_https=False):
        next_url = ""
    if (seconds := login_wait(request)) is not None:
        portal_action(request, "sign-in-throttled", wait_seconds=seconds)
        response = render_page(
            request, "portal/sign_in.html", {"form": SignInForm(request), "seconds": seconds, "next": next_url},
            status=429,
        )
        response["Retry-After"] = str(seconds)
        return response
    form = SignInForm(request, data=request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if form.is_valid():
            user = form.get_user()
            if user.supplier_or_none is None:
                portal_action(request, "sign-in-not-a-supplier", account_id=user.pk)
                if is_operator(user) or user.is_staff:
                    return redirect(f"{ADMIN_URL}login/?next={ADMIN_URL}")
                form.add_error(None, _("This portal is for suppliers of the programme."))
            else:
                auth_login(request, user)
                portal_action(request, "sign-in")
                return redirect(next_url or reverse("portal:home"))
        else:
            portal_action(request, "sign-in-failed")
    return render_page(request, "portal/sign_in.html", {"form": form, "next": next_url})


@public_page
@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    portal_action(request, "sign-out")
    auth_logout(request)
    messages.info(request, _("You have signed out."))
    return redirect("portal:sign-in")


@supplier_page
@sensitive_post_parameters("old_password", "new_password1", "new_password2")
@require_http_methods(["GET", "HEAD", "POST"])
def password_change(request: HttpRequest, *, supplier: Supplier) -> HttpResponse:
    """Django's password form; the change is on the account's record, and ends the API tokens issued before it."""
    user = _user(request)
    form = PasswordChangeForm(user, data=request.POST if request.method == "POST" else None, label_suffix="")
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            form.save()
            user_password_set_record(user=user, set_by=user)
        update_session_auth_hash(request, user)  # this session stays signed in; the others end
        portal_action(request, "password-change")
        messages.success(request, _("Your password was changed."))
        return redirect("portal:settings")
    return render_page(request, "portal/password_change.html", {"form": form}, supplier=supplier)


# --- home, payments, requests ---------------------------------------------------------------------------------------


@supplier_page
@require_GET
def home(request: HttpRequest, *, supplier: Supplier) -> HttpResponse:
    today = timezone.localdate()
    figures = supplier_home(user=_user(request), today=today)
    return render_page(request, "portal/home.html", {"figures": figures, "today": today}, supplier=supplier)


@supplier_page
@require_GET
def payment_list(request: HttpRequest, *, supplier: Supplier) -> HttpResponse:
    """The supplier's payments in one of the five states (or all), by invoice number, a page at a time; the
    available ones can be chosen for one request together."""
    today = timezone.localdate()
    user = _user(request)
    filters = PaymentFilterForm(request.GET)
    status = external_id = None
    if filters.is_valid():
        status = filters.cleaned_data["status"] or None
        external_id = filters.cleaned_data["external_id"] or None
    payments = portal_payments(user=user, today=today, status=status, external_id=external_id)
    page = Paginator(payments, PAYMENTS_PER_PAGE).get_page(_page_number(request))
    counts = payment_status_counts(user=user, today=today)
    tabs = [("", str(EVERY), sum(counts.values()))] + [
        (choice, label, counts[choice]) for choice, label in PaymentStatus.choices
    ]
    query = request.GET.copy()
    query.pop("page", None)
    rows = [(payment, payment.status_on(today)) for payment in page]
    context = {
        "filters": filters,
        "status": status or "",
        "external_id": external_id or "",
        "tabs": tabs,
        "page": page,
        "rows": rows,
        "query": query.urlencode(),
        "available": PaymentStatus.AVAILABLE,
        "selectable": any(payment_status == PaymentStatus.AVAILABLE for _payment, payment_status in rows),
    }
    return render_page(request, "portal/payments.html", context, supplier=supplier)


@supplier_page
@require_GET
def payment_detail(request: HttpRequest, pk: int, *, supplier: Supplier) -> HttpResponse:
    """One payment: its state, its anticipation and history if it has one, else the price of each date it may be
    paid on, each with its one-click request."""
    today = timezone.localdate()
    user = _user(request)
    payment = get_object_or_404(payments_visible_to(user=user, today=today), pk=pk)
    status = payment.status_on(today)
    context: dict = {"payment": payment, "status": status, "today": today}
    if status == PaymentStatus.AVAILABLE:
        options = anticipation_quote_options(payment=payment, quoted_by=user, today=today)
        context["options"] = Paginator(options, OPTIONS_PER_PAGE).get_page(_page_number(request))
    anticipation = anticipations_visible_to(user=user).filter(payment=payment).first()
    if anticipation is not None:
        context["anticipation"] = anticipation
        context["history"] = anticipation_histories(user=user, anticipation_ids=[anticipation.pk]).get(
            anticipation.pk, []
        )
    return render_page(request, "portal/payment.html", context, supplier=supplier)


@supplier_page
@require_POST
def payment_request(request: HttpRequest, pk: int, *, supplier: Supplier) -> HttpResponse:
    """Ask for the payment to be paid on the chosen date, at the price the options list showed (the same service
    as POST /api/anticipations/)."""
    user = _user(request)
    payment = get_object_or_404(payments_visible_to(user=user), pk=pk)
    form = NewDueDateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a date from the list."))
        return redirect("portal:payment", pk=payment.pk)
    new_due_date: datetime.date = form.cleaned_data["new_due_date"]
    try:
        anticipation = anticipation_request(payment=payment, new_due_date=new_due_date, requested_by=user)
    except DomainError as exc:
        portal_action(request, "anticipation-request-refused", payment_id=payment.pk, code=exc.code)
        messages.error(request, refusal_message(exc))
        return redirect("portal:payment", pk=payment.pk)
    portal_action(request, "anticipation-request", payment_id=payment.pk, anticipation_id=anticipation.pk)
    messages.success(
        request,
        _("Requested: %(new_value)s on %(new_due_date)s. You will receive an e-mail with the decision.")
        % {"new_value": format_money(anticipation.new_value), "new_due_date": date_format(new_due_date)},
    )
    return redirect("portal:payment", pk=payment.pk)


@supplier_page
@require_GET
def request_list(request: HttpRequest, *, supplier: Supplier) -> HttpResponse:
    """The supplier's requests for early payment, newest first, each with its decision and its history."""
    user = _user(request)
    filters = AnticipationStatusForm(request.GET)
    status = filters.cleaned_data["status"] if filters.is_valid() else ""
    page = Paginator(portal_anticipations(user=user, status=status or None), REQUESTS_PER_PAGE).get_page(
        _page_number(request)
    )
    histories = anticipation_histories(user=user, anticipation_ids=[anticipation.pk for anticipation in page])
    today = timezone.localdate()
    months = [month_start(today)]
    while len(months) < STATEMENT_MONTHS:
        months.append(month_start(months[-1] - datetime.timedelta(days=1)))
    context = {
        "page": page,
        "rows": [(anticipation, histories.get(anticipation.pk, [])) for anticipation in page],
        "status": status,
        "tabs": [("", str(EVERY)), *AnticipationStatus.choices],
        "months": months,
        "pending": AnticipationStatus.PENDING_CONFIRMATION,
        "query": f"status={status}" if status else "",
    }
    return render_page(request, "portal/requests.html", context, supplier=supplier)


STATEMENT_HEADER = [
    "anticipation", "payment", "external_id", "due_date", "value", "new_due_date", "new_value", "discount",
    "days_early", "apr", "status", "requested_on", "decided_on",
]


@supplier_page
@require_GET
def statement(request: HttpRequest, *, supplier: Supplier) -> StreamingHttpResponse:
    """The month's statement as CSV: every anticipation whose new due date falls in the month (?month=YYYY-MM, this
    month by default)."""
    user = _user(request)
    month = MonthForm(request.GET).month_or(timezone.localdate())
    anticipations = statement_anticipations(user=user, month=month)
    portal_action(request, "statement", month=f"{month:%Y-%m}")
    rows = (
        [
            anticipation.pk,
            anticipation.payment_id,
            anticipation.payment.external_id,
            anticipation.payment.due_date.isoformat(),
            str(anticipation.payment.value),
            anticipation.new_due_date.isoformat(),
            str(anticipation.new_value),
            str(anticipation.discount),
            anticipation.days_early,
            str(
                annual_percentage(
                    discount=anticipation.discount, base=anticipation.payment.value, days_early=anticipation.days_early
                )
            ),
            anticipation.status,
            anticipation.creation_date.isoformat(),
            anticipation.update_date.isoformat() if anticipation.status != AnticipationStatus.PENDING_CONFIRMATION
            else None,
        ]
        for anticipation in anticipations.iterator(chunk_size=500)
    )
    return csv_response(header=STATEMENT_HEADER, rows=rows, filename=f"statement-{month:%Y-%m}.csv")


# --- settings -------------------------------------------------------------------------------------------------------


@supplier_page
@require_http_methods(["GET", "HEAD", "POST"])
def supplier_settings(request: HttpRequest, *, supplier: Supplier) -> HttpResponse:
    """The language of the supplier's e-mails (saved as the admin saves a supplier), and where they are sent."""
    form = SupplierLanguageForm(
        request.POST if request.method == "POST" else None, initial={"language": supplier.language}
    )
    if request.method == "POST" and form.is_valid():
        supplier.language = form.cleaned_data["language"]
        supplier_save(supplier=supplier, saved_by=_user(request))
        portal_action(request, "email-language", language=supplier.language)
        messages.success(request, _("Your e-mails will be written in %(language)s.") % {
            "language": supplier.get_language_display()
        })
        return redirect("portal:settings")
    return render_page(request, "portal/settings.html", {"form": form}, supplier=supplier)


# --- several payments at once ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Selection:
    """The chosen payments (all the supplier's and available, else the page is a 404), the dates they share, and
    the chosen date when it is one of them."""

    payments: list[Payment]
    dates: list[datetime.date]
    new_due_date: datetime.date | None
    date_refused: bool  # a date was given that not every chosen payment may be paid on

    def query(self, **extra: str) -> str:
        pairs = [("payment", str(payment.pk)) for payment in self.payments]
        if self.new_due_date:
            pairs.append(("new_due_date", self.new_due_date.isoformat()))
        return urlencode(pairs + list(extra.items()))


def _payment_ids(source: QueryDict) -> list[int]:
    """The chosen payments' ids, each once, at most SELECTION_MAX + 1 of them; anything else than ids is a 404."""
    raw_ids = source.getlist("payment")
    if not all(raw.isdigit() and len(raw) < 19 for raw in raw_ids):
        raise Http404
    return list(dict.fromkeys(int(raw) for raw in raw_ids))[: SELECTION_MAX + 1]


def _selection(request: HttpRequest, source: QueryDict, today: datetime.date) -> Selection | HttpResponse:
    payment_ids = _payment_ids(source)
    if not payment_ids:
        messages.info(request, _("Choose the payments to receive early, then a date."))
        return redirect(f"{reverse('portal:payments')}?status={PaymentStatus.AVAILABLE}")
    if len(payment_ids) > SELECTION_MAX:
        messages.error(request, _("Choose at most %(count)s payments at once.") % {"count": SELECTION_MAX})
        return redirect(f"{reverse('portal:payments')}?status={PaymentStatus.AVAILABLE}")
    user = _user(request)
    payments = selection_payments(user=user, payment_ids=payment_ids, today=today)
    if len(payments) != len(payment_ids):
        raise Http404  # another supplier's payment, or one no longer available
    dates = selection_dates(payments=payments, user=user, today=today)
    form = NewDueDateForm(source)
    new_due_date = form.cleaned_data["new_due_date"] if form.is_valid() else None
    refused = new_due_date is not None and new_due_date not in dates
    return Selection(
        payments=payments, dates=dates, new_due_date=None if refused else new_due_date, date_refused=refused
    )


def _picker_month(request: HttpRequest, selection: Selection, today: datetime.date) -> datetime.date:
    """The month the picker shows: the one asked for (within the allowed dates' months), else the chosen date's,
    else the first allowed date's."""
    first = month_start(selection.dates[0]) if selection.dates else month_start(today)
    last = month_start(selection.dates[-1]) if selection.dates else first
    asked = MonthForm(request.GET).month_or(selection.new_due_date or first)
    return min(max(month_start(asked), first), last)


@supplier_page
@require_GET
def selection(request: HttpRequest, *, supplier: Supplier) -> HttpResponse:
    """The chosen payments, a date picker that marks non-business days and the dates they cannot be paid on, and
    what each payment would give on the chosen date with the total (htmx replaces only that part on each pick)."""
    today = timezone.localdate()
    chosen = _selection(request, request.GET, today)
    if isinstance(chosen, HttpResponse):
        return chosen
    context = _selection_context(request, chosen, today)
    template = "portal/partials/selection_quotes.html" if wants_part(request) else "portal/selection.html"
    response = render_page(request, template, context, supplier=supplier)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _selection_context(request: HttpRequest, chosen: Selection, today: datetime.date) -> dict[str, Any]:
    month = _picker_month(request, chosen, today)
    first_weekday = int(get_format("FIRST_DAY_OF_WEEK"))
    context: dict[str, Any] = {
        "selection": chosen,
        "month": month,
        "weeks": picker_month(month=month, allowed=chosen.dates, first_weekday=first_weekday),
        # Django's names count Monday as 0, FIRST_DAY_OF_WEEK Sunday.
        "weekdays": [
            (WEEKDAYS_ABBR[(first_weekday + offset - 1) % 7], WEEKDAYS[(first_weekday + offset - 1) % 7])
            for offset in range(7)
        ],
        "face_value": sum((payment.value for payment in chosen.payments), Decimal("0.00")),
    }
    if chosen.dates:
        if month > month_start(chosen.dates[0]):
            context["previous_month"] = month_start(month - datetime.timedelta(days=1))
        if month < month_start(chosen.dates[-1]):
            context["next_month"] = month_start(month, months_back=-1)
    if chosen.new_due_date is not None:
        quotes, totals = selection_quotes(
            payments=chosen.payments, new_due_date=chosen.new_due_date, user=_user(request), today=today
        )
        context.update(
            quotes=[(quote, refusal_message(quote.refusal) if quote.refusal else "") for quote in quotes],
            totals=totals,
            all_priced=all(quote.price is not None for quote in quotes),
        )
    return context


@supplier_page
@require_GET
def selection_confirm(request: HttpRequest, *, supplier: Supplier) -> HttpResponse:
    """Every chosen payment's new value on the chosen date and the totals, before anything is filed."""
    today = timezone.localdate()
    chosen = _selection(request, request.GET, today)
    if isinstance(chosen, HttpResponse):
        return chosen
    if chosen.new_due_date is None:
        messages.error(request, _("Choose a date that every chosen payment may be paid on."))
        return redirect(f"{reverse('portal:selection')}?{chosen.query()}")
    context = _selection_context(request, chosen, today)
    return render_page(request, "portal/selection_confirm.html", context, supplier=supplier)


@supplier_page
@require_POST
def selection_submit(request: HttpRequest, *, supplier: Supplier) -> HttpResponse:
    """File the chosen payments on the chosen date as one batch request (the service of POST
    /api/anticipations/batch/): each payment is requested or refused on its own; the outcome is shown next."""
    user = _user(request)
    payment_ids = _payment_ids(request.POST)
    # Whatever became of a payment since the confirmation (requested meanwhile, say), the batch says per payment.
    payments = list(payments_visible_to(user=user).filter(pk__in=payment_ids).order_by("due_date", "id"))
    if len(payments) != len(payment_ids):
        raise Http404
    form = NewDueDateForm(request.POST)
    if not payments or len(payments) > SELECTION_MAX or not form.is_valid():
        messages.error(request, _("Choose a date that every chosen payment may be paid on."))
        return redirect(f"{reverse('portal:payments')}?status={PaymentStatus.AVAILABLE}")
    new_due_date: datetime.date = form.cleaned_data["new_due_date"]
    batch = anticipation_batch_request(
        items=[(payment, new_due_date) for payment in payments], all_or_none=False, requested_by=user
    )
    items = [
        {
            "payment": payment.pk,
            "anticipation": result.anticipation.pk if result.anticipation is not None else None,
            "refusal": refusal_message(result.error) if result.error is not None else None,
        }
        for payment, result in zip(payments, batch.results)
    ]
    request.session[BATCH_SESSION_KEY] = {"new_due_date": new_due_date.isoformat(), "items": items}
    portal_action(
        request,
        "anticipation-batch",
        anticipation_ids=[item["anticipation"] for item in items if item["anticipation"]],
        refused_payment_ids=[item["payment"] for item in items if not item["anticipation"]],
    )
    return redirect("portal:selection-result")


@supplier_page
@require_GET
def selection_result(request: HttpRequest, *, supplier: Supplier) -> HttpResponse:
    """Each payment of the last batch: the anticipation requested for it, or why it was refused."""
    outcome = request.session.get(BATCH_SESSION_KEY)
    if not outcome:
        return redirect("portal:requests")
    user = _user(request)
    items = outcome["items"]
    payments = payments_visible_to(user=user).in_bulk([item["payment"] for item in items])
    anticipations = anticipations_visible_to(user=user).in_bulk(
        [item["anticipation"] for item in items if item["anticipation"]]
    )
    rows = [
        (payments[item["payment"]], anticipations.get(item["anticipation"]), item["refusal"])
        for item in items
        if item["payment"] in payments
    ]
    requested = [anticipation for _payment, anticipation, _refusal in rows if anticipation is not None]
    context = {
        "rows": rows,
        "new_due_date": datetime.date.fromisoformat(outcome["new_due_date"]),
        "requested_count": len(requested),
        "refused_count": len(rows) - len(requested),
        "requested_new_value": sum((anticipation.new_value for anticipation in requested), Decimal("0.00")),
    }
    return render_page(request, "portal/selection_result.html", context, supplier=supplier)
