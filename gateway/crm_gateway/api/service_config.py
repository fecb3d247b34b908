"""Service desk configuration: SLA policies and skill groups (admins and service managers change them)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from crm_contracts.payloads.service_config import (
    ConfigListQuery,
    SkillGroupCreate,
    SkillGroupOut,
    SkillGroupPage,
    SkillGroupUpdate,
    SlaPolicyCreate,
    SlaPolicyOut,
    SlaPolicyPage,
    SlaPolicyUpdate,
)

from ..endpoint import ApiBlueprint

blp = ApiBlueprint("service_config", __name__, description="SLA policies and skill groups")


@blp.operation("POST", "/sla-policies", body=SlaPolicyCreate, response=SlaPolicyOut, status=201, etag=True,
               extra_responses=(409, 422))
def create_sla_policy(rpc: Any, body: dict[str, Any]) -> Any:
    """First-response and resolution targets for a priority (and tier), on a business-hours calendar."""
    return rpc.service_desk.create_sla_policy(body)


@blp.operation("GET", "/sla-policies", query=ConfigListQuery, response=SlaPolicyPage)
def list_sla_policies(rpc: Any, query: dict[str, Any]) -> Any:
    """SLA policies."""
    return rpc.service_desk.list_sla_policies(query)


@blp.operation("GET", "/sla-policies/<uuid:policy_id>", response=SlaPolicyOut, etag=True)
def get_sla_policy(rpc: Any, policy_id: UUID) -> Any:
    """One SLA policy."""
    return rpc.service_desk.get_sla_policy(str(policy_id))


@blp.operation("PATCH", "/sla-policies/<uuid:policy_id>", body=SlaPolicyUpdate, response=SlaPolicyOut, etag=True,
               extra_responses=(409, 422))
def update_sla_policy(rpc: Any, policy_id: UUID, body: dict[str, Any], expected_version: int | None) -> Any:
    """Change a policy; tickets opened from now on use it."""
    return rpc.service_desk.update_sla_policy(str(policy_id), body, expected_version=expected_version)


@blp.operation("POST", "/skill-groups", body=SkillGroupCreate, response=SkillGroupOut, status=201, etag=True,
               extra_responses=(409, 422))
def create_skill_group(rpc: Any, body: dict[str, Any]) -> Any:
    """A group serving ticket categories and regions, with its agents and their capacity."""
    return rpc.service_desk.create_skill_group(body)


@blp.operation("GET", "/skill-groups", query=ConfigListQuery, response=SkillGroupPage)
def list_skill_groups(rpc: Any, query: dict[str, Any]) -> Any:
    """Skill groups with their members' current load."""
    return rpc.service_desk.list_skill_groups(query)


@blp.operation("GET", "/skill-groups/<uuid:group_id>", response=SkillGroupOut, etag=True)
def get_skill_group(rpc: Any, group_id: UUID) -> Any:
    """One skill group."""
    return rpc.service_desk.get_skill_group(str(group_id))


@blp.operation("PATCH", "/skill-groups/<uuid:group_id>", body=SkillGroupUpdate, response=SkillGroupOut,
               etag=True, extra_responses=(409, 422))
def update_skill_group(rpc: Any, group_id: UUID, body: dict[str, Any], expected_version: int | None) -> Any:
    """Change a group; `members` replaces the member list."""
    return rpc.service_desk.update_skill_group(str(group_id), body, expected_version=expected_version)
