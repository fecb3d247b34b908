from crm_analytics.models import Base
from crm_contracts.chassis.migrations import run_env

run_env(Base.metadata)
