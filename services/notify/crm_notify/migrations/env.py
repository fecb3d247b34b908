from crm_contracts.chassis.migrations import run_env
from crm_notify.models import Base

run_env(Base.metadata)
