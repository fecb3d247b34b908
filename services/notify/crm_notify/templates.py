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
}


def render(kind: str, context: dict[str, Any], language: str = "en") -> tuple[str, str]:
    title, body = TEMPLATES[kind].get(language) or TEMPLATES[kind]["en"]
    return _env.from_string(title).render(**context), _env.from_string(body).render(**context)
