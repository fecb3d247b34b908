from crm_contracts.chassis.migrations import run_env
from crm_service_desk.models import Base

run_env(Base.metadata)
