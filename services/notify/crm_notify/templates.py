"""Message templates (Jinja2), in Chinese and English; the recipient's language picks one.

Times are given in the recipient's time zone (the IANA zone of their user; UTC when they have none)
and always name their offset, so "16:00 UTC+08:00" cannot be misread.
"""

from __future__ import annotations

import functools
from datetime import UTC, date, datetime, tzinfo
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from crm_contracts.events.gateway import LANGUAGES
from jinja2 import Environment, StrictUndefined, pass_context
from jinja2.runtime import Context

DEFAULT_LANGUAGE = "en"


ZONE = "_zone"  # the render context's key for the recipient's zone


@functools.lru_cache(maxsize=512)
def zone_of(name: str | None) -> tzinfo:
    """The recipient's zone; UTC for none, or for a name the time zone database does not know."""
    try:
        return ZoneInfo(name) if name else UTC
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def _offset(moment: datetime) -> str:
    delta = moment.utcoffset()
    if not delta:
        return "UTC"
    minutes = int(delta.total_seconds()) // 60
    sign = "+" if minutes >= 0 else "-"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


@pass_context
def _day(context: Context, value: date | datetime | None) -> str:
    if isinstance(value, datetime):
        value = value.astimezone(context.get(ZONE, UTC)).date()
    return value.isoformat() if value else ""


@pass_context
def _when(context: Context, value: datetime | None) -> str:
    if not value:
        return ""
    moment = value.astimezone(context.get(ZONE, UTC))
    return f"{moment:%Y-%m-%d %H:%M} {_offset(moment)}"


def _money(value: dict[str, Any] | None) -> str:
    return f"{Decimal(value['amount']):,.2f} {value['currency']}" if value else ""


# Chinese for the codes events carry that a Chinese sentence would otherwise quote in English.
_ZH_TERMS = {"call": "电话", "visit": "拜访", "meeting": "会议", "email": "邮件", "memo": "备忘", "task": "任务",
             "first_response": "首次响应", "resolution": "解决"}


def _zh(code: str) -> str:
    return _ZH_TERMS.get(code, code)


_env = Environment(undefined=StrictUndefined, autoescape=False, trim_blocks=True)
_env.filters.update(day=_day, when=_when, money=_money, zh=_zh)

TEMPLATES: dict[str, dict[str, tuple[str, str]]] = {
    "account.assigned": {
        "en": ("New customer: {{ name }}",
               "{{ name }} ({{ customer_code }}) in region {{ region }} is now yours; it is {{ status }}."),
        "zh": ("新客户：{{ name }}",
               "客户 {{ name }}（{{ customer_code }}，{{ region }} 区）已分配给您，当前状态：{{ status }}。"),
    },
    "ticket.assigned": {
        "en": ("Ticket assigned: {{ subject }}",
               "A {{ priority }} {{ category }} ticket{% if customer_code %} for {{ customer_code }}{% endif %} "
               "is yours{% if resolution_due_at %}; resolve by {{ resolution_due_at | when }}{% endif %}."),
        "zh": ("工单已分配：{{ subject }}",
               "{% if customer_code %}客户 {{ customer_code }} 的{% endif %}"
               "{{ priority }} 级{{ category }}工单已分配给您"
               "{% if resolution_due_at %}，请在 {{ resolution_due_at | when }} 前解决{% endif %}。"),
    },
    "customer.alert": {
        "en": ("Shipment {{ shipment_reference }}: {{ exception_type | replace('_', ' ') }}",
               "{{ account_name or customer_code }} — {{ description }}{% if location %} at {{ location }}{% endif %}. "
               "A ticket was opened and the customer's contacts are being warned."),
        "zh": ("货物 {{ shipment_reference }} 异常：{{ exception_type }}",
               "{{ account_name or customer_code }}：{{ description }}{% if location %}（{{ location }}）{% endif %}。"
               "已自动建立工单并通知客户联系人。"),
    },
    "lead.release_warned": {
        "en": ("Lead returning to the pool: {{ company }}",
               "{{ company }} returns to the public pool on {{ release_at | when }} unless you log an activity "
               "on it before then."),
        "zh": ("线索即将退回公海：{{ company }}",
               "线索 {{ company }} 如在 {{ release_at | when }} 前仍无跟进记录，将退回公海。"),
    },
    "lead.assigned": {
        "en": ("Lead assigned: {{ company }}",
               "{{ company }} (grade {{ grade }}, from {{ source }}{% if region %}, region {{ region }}{% endif %}) "
               "is now yours."),
        "zh": ("新线索：{{ company }}",
               "线索 {{ company }}（{{ grade }} 级，来源 {{ source }}{% if region %}，{{ region }} 区{% endif %}）"
               "已分配给您。"),
    },
    "lead.transferred": {
        "en": ("Lead transferred to you: {{ company }}",
               "{{ company }} (grade {{ grade }}) is now yours"
               "{% if reason == 'deactivation' %}, taken over from a colleague who left{% endif %}."),
        "zh": ("线索已转给您：{{ company }}",
               "线索 {{ company }}（{{ grade }} 级）{% if reason == 'deactivation' %}因原负责人离职{% endif %}"
               "已转交给您。"),
    },
    "lead_import.completed": {
        "en": ("Lead import finished: {{ filename }}",
               "{{ created }} created, {{ duplicate }} duplicate, {{ invalid }} invalid, {{ skipped }} skipped"
               "{% if total_rows is not none %} of {{ total_rows }} rows{% endif %}."),
        "zh": ("线索导入完成：{{ filename }}",
               "{% if total_rows is not none %}共 {{ total_rows }} 行：{% endif %}新建 {{ created }} 条，"
               "重复 {{ duplicate }} 条，无效 {{ invalid }} 条，跳过 {{ skipped }} 条。"),
    },
    "lead_import.failed": {
        "en": ("Lead import failed: {{ filename }}",
               "{{ error or 'The import stopped.' }}{% if created %} {{ created }} lead(s) were created.{% endif %}"),
        "zh": ("线索导入失败：{{ filename }}",
               "{{ error or '导入已中止。' }}{% if created %}（已新建 {{ created }} 条线索）{% endif %}"),
    },
    "quote.approval_requested": {
        "en": ("Quote to approve: {{ number }} v{{ quote_version }}",
               "{{ number }} v{{ quote_version }} ({{ total | money }}, {{ origin }} → {{ destination }} "
               "by {{ mode }}) waits for your approval: {{ reasons | join('; ') }}. "
               "Valid until {{ valid_until | day }}."),
        "zh": ("报价待审批：{{ number }} v{{ quote_version }}",
               "报价 {{ number }} v{{ quote_version }}（{{ total | money }}，{{ origin }} → {{ destination }}，"
               "{{ mode }}）需要您审批：{{ reasons | join('；') }}。有效期至 {{ valid_until | day }}。"),
    },
    "quote.accepted": {
        "en": ("Quote accepted: {{ number }} v{{ quote_version }}",
               "The customer accepted {{ number }} ({{ total | money }}); the contract can be drawn up."),
        "zh": ("报价已接受：{{ number }} v{{ quote_version }}",
               "客户已接受报价 {{ number }}（{{ total | money }}），可以起草合同了。"),
    },
    "quote.rejected": {
        "en": ("Quote rejected: {{ number }} v{{ quote_version }}",
               "The customer rejected {{ number }} ({{ total | money }}){% if reason %}: {{ reason }}{% endif %}."),
        "zh": ("报价被拒：{{ number }} v{{ quote_version }}",
               "客户拒绝了报价 {{ number }}（{{ total | money }}）{% if reason %}，原因：{{ reason }}{% endif %}。"),
    },
    "contract.renewal_due": {
        "en": ("Contract up for renewal: {{ number }}",
               "Contract {{ number }} ({{ total | money }}) is due for renewal on {{ renewal_date | day }}; "
               "it ends on {{ end_date | day }}."),
        "zh": ("合同待续签：{{ number }}",
               "合同 {{ number }}（{{ total | money }}）应于 {{ renewal_date | day }} 续签，"
               "到期日 {{ end_date | day }}。"),
    },
    "milestone.due": {
        "en": ("{% if days_left > 0 %}Payment due in {{ days_left }} day(s){% else %}Payment due today{% endif %}: "
               "{{ contract_number }}",
               "{{ name }} ({{ amount | money }}) on contract {{ contract_number }} falls due on {{ due_on | day }}."),
        "zh": ("{% if days_left > 0 %}{{ days_left }} 天后到期的回款{% else %}今日到期的回款{% endif %}："
               "{{ contract_number }}",
               "合同 {{ contract_number }} 的回款节点「{{ name }}」（{{ amount | money }}）"
               "将于 {{ due_on | day }} 到期。"),
    },
    "milestone.overdue": {
        "en": ("Payment overdue: {{ contract_number }}",
               "{{ name }} ({{ amount | money }}) on contract {{ contract_number }} was due on {{ due_on | day }} "
               "and is not recorded as paid."),
        "zh": ("回款逾期：{{ contract_number }}",
               "合同 {{ contract_number }} 的回款节点「{{ name }}」（{{ amount | money }}）已于 {{ due_on | day }} "
               "到期，尚未登记回款。"),
    },
    "activity.due": {
        "en": ("Reminder: {{ subject }}",
               "Your {{ kind }} “{{ subject }}” is due{% if due_at %} at {{ due_at | when }}{% endif %}."),
        "zh": ("待办提醒：{{ subject }}",
               "您的{{ kind | zh }}「{{ subject }}」{% if due_at %}将于 {{ due_at | when }} {% endif %}到期。"),
    },
    "activity.overdue": {
        "en": ("Overdue: {{ subject }}",
               "Your {{ kind }} “{{ subject }}” was due{% if due_at %} at {{ due_at | when }}{% endif %} "
               "and is still open."),
        "zh": ("已逾期：{{ subject }}",
               "您的{{ kind | zh }}「{{ subject }}」{% if due_at %}已于 {{ due_at | when }} {% endif %}"
               "到期，仍未完成。"),
    },
    "ticket.sla_warning": {
        "en": ("SLA warning: {{ subject }}",
               "{{ percent }} % of the {{ target | replace('_', ' ') }} time of this {{ priority }} ticket"
               "{% if customer_code %} for {{ customer_code }}{% endif %} is used; it is due at {{ due_at | when }}"
               "{% if not assignee_id %} and nobody is assigned{% endif %}."),
        "zh": ("SLA 预警：{{ subject }}",
               "{% if customer_code %}客户 {{ customer_code }} 的{% endif %}{{ priority }} 级工单"
               "{{ target | zh }}时限已用 {{ percent }}%，"
               "须在 {{ due_at | when }} 前完成{% if not assignee_id %}，目前无人处理{% endif %}。"),
    },
    "ticket.sla_breached": {
        "en": ("SLA breached: {{ subject }}",
               "The {{ target | replace('_', ' ') }} target of this {{ priority }} ticket"
               "{% if customer_code %} for {{ customer_code }}{% endif %} was missed at {{ due_at | when }}"
               "{% if not assignee_id %}; nobody is assigned{% endif %}."),
        "zh": ("SLA 已超时：{{ subject }}",
               "{% if customer_code %}客户 {{ customer_code }} 的{% endif %}{{ priority }} 级工单已超过"
               "{{ target | zh }}时限（{{ due_at | when }}）"
               "{% if not assignee_id %}，目前无人处理{% endif %}。"),
    },
}


def language_of(preferred: str | None) -> str:
    """The template language for a user's stated preference: "zh-CN" reads as "zh"; anything we have no
    templates in (or no preference) falls back to the default."""
    primary = (preferred or "").replace("_", "-").split("-")[0].strip().lower()
    return primary if primary in LANGUAGES else DEFAULT_LANGUAGE


@functools.cache
def _compiled(source: str) -> Any:
    return _env.from_string(source)  # compiling is the costly part; the set of templates is fixed


def render(kind: str, context: dict[str, Any], language: str = DEFAULT_LANGUAGE,
           zone: tzinfo = UTC) -> tuple[str, str]:
    title, body = TEMPLATES[kind].get(language) or TEMPLATES[kind][DEFAULT_LANGUAGE]
    values = {**context, ZONE: zone}
    return _compiled(title).render(**values), _compiled(body).render(**values)
