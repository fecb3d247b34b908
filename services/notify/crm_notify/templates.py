"""Message templates (Jinja2), in Chinese and English; the recipient's language picks one."""

from __future__ import annotations

from typing import Any

from jinja2 import Environment, StrictUndefined

_env = Environment(undefined=StrictUndefined, autoescape=False, trim_blocks=True)

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
               "is yours{% if resolution_due_at %}; resolve by {{ resolution_due_at }}{% endif %}."),
        "zh": ("工单已分配：{{ subject }}",
               "{% if customer_code %}客户 {{ customer_code }} 的{% endif %}"
               "{{ priority }} 级{{ category }}工单已分配给您"
               "{% if resolution_due_at %}，请在 {{ resolution_due_at }} 前解决{% endif %}。"),
    },
    "customer.alert": {
        "en": ("Shipment {{ shipment_reference }}: {{ exception_type | replace('_', ' ') }}",
               "{{ account_name or customer_code }} — {{ description }}{% if location %} at {{ location }}{% endif %}. "
               "A ticket was opened and the customer's contacts are being warned."),
        "zh": ("货物 {{ shipment_reference }} 异常：{{ exception_type }}",
               "{{ account_name or customer_code }}：{{ description }}{% if location %}（{{ location }}）{% endif %}。"
               "已自动建立工单并通知客户联系人。"),
    },
}


def render(kind: str, context: dict[str, Any], language: str = "en") -> tuple[str, str]:
    title, body = TEMPLATES[kind].get(language) or TEMPLATES[kind]["en"]
    return _env.from_string(title).render(**context), _env.from_string(body).render(**context)
