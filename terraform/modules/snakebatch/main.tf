data "aws_caller_identity" "current" {}

module "naming" {
  source = "../naming"

  settings           = var.settings
  account_id         = data.aws_caller_identity.current.account_id
  bucket_name        = var.bucket_name
  name_suffix        = var.name_suffix
  shard_count        = var.shard_count
  shard_hash_samples = var.shard_hash_samples
}

locals {
  env_names = module.naming.env

  # What a shard needs to find its bucket, queue and table, under the names
  # snakebatch.settings.Settings.from_env reads.
  shard_environment = {
    (local.env_names.backend)           = "aws"
    (local.env_names.function_prefix)   = module.naming.function_prefix
    (local.env_names.shard_count)       = tostring(module.naming.shard_count)
    (local.env_names.bucket)            = module.storage.bucket_name
    (local.env_names.reports_queue_url) = module.queues.queue_url
    (local.env_names.reports_dlq_url)   = module.queues.dlq_url
    (local.env_names.job_table)         = module.storage.table_name
  }
}

module "layer" {
  source = "../layer"

  layer_name               = module.naming.layer_name
  zip_path                 = var.layer_zip_path
  compatible_runtimes      = [module.naming.lambda.runtime]
  compatible_architectures = [module.naming.lambda.architecture]
}

module "queues" {
  source = "../queues"

  queue_name = module.naming.reports_queue
  dlq_name   = module.naming.reports_dlq
  tags       = var.tags
}

module "storage" {
  source = "../storage"

  bucket_name         = module.naming.bucket
  table_name          = module.naming.job_table
  jobs_expiry_days    = coalesce(var.jobs_expiry_days, var.settings.job_retention_days)
  force_destroy       = var.force_destroy
  deletion_protection = var.deletion_protection
  tags                = var.tags
}

module "mesh" {
  source = "../mesh"

  function_prefix           = module.naming.function_prefix
  shard_count               = module.naming.shard_count
  package_path              = var.function_zip_path
  runtime                   = module.naming.lambda.runtime
  architecture              = module.naming.lambda.architecture
  memory_size               = module.naming.lambda.memory_mb
  timeout                   = module.naming.lambda.timeout_s
  alias_name                = module.naming.alias
  layer                     = module.layer
  reserved_concurrency      = var.reserved_concurrency
  account_concurrency_limit = var.account_concurrency_limit
  maximum_retry_attempts    = var.maximum_retry_attempts
  maximum_event_age_seconds = var.maximum_event_age_seconds
  # Failure records land on the reports queue, where the drainer reads them as
  # error reports and fails the job with Lambda's error text (docs/internals.md).
  on_failure_destination_arn = module.queues.queue_arn
  environment_variables      = local.shard_environment
  bucket_arn                 = module.storage.bucket_arn
  jobs_prefix                = module.storage.jobs_prefix
  predict_prefix             = module.storage.predict_prefix
  reports_queue_arn          = module.queues.queue_arn
  job_table_arn              = module.storage.table_arn
  log_retention_days         = var.log_retention_days
  tracing_mode               = var.tracing_mode
  tags                       = var.tags
}

module "pcguard" {
  source = "../pcguard"

  function_prefix       = module.naming.function_prefix
  alias_arns            = module.mesh.alias_arns
  package_path          = var.function_zip_path
  layer_arn             = module.layer.arn
  runtime               = module.naming.lambda.runtime
  architecture          = module.naming.lambda.architecture
  environment_variables = local.shard_environment
  log_retention_days    = var.log_retention_days
  tags                  = var.tags
}

module "alarms" {
  source = "../alarms"

  function_names            = module.mesh.function_names
  function_timeout_seconds  = module.mesh.timeout
  reports_queue_name        = module.queues.queue_name
  reports_dlq_name          = module.queues.dlq_name
  extra_dlq_names           = [module.pcguard.dlq_name]
  topic_name                = "${module.naming.function_prefix}-alarms"
  alarm_emails              = var.alarm_emails
  require_subscriber        = var.require_alarm_subscriber
  composite_alarms          = var.composite_alarms
  account_concurrency_limit = var.account_concurrency_limit
  # A conditional, not try(): try() of a value with unknown attributes is unknown, so the
  # alarm's count could not be planned on a first apply.
  gatherer_target = var.create_gatherer ? module.gatherer[0].alb_target : null
  pc_guard = {
    sweeper_function     = module.pcguard.sweeper_function
    namespace            = module.pcguard.metric_namespace
    sweep_period_seconds = module.pcguard.sweep_period_seconds
    # The longest TTL `pc on` accepts (snakebatch.ops.toggle.MAX_TTL_S) plus two sweeps.
    max_ttl_seconds = 86400 + 2 * module.pcguard.sweep_period_seconds
  }
  tags = var.tags
}

module "gatherer" {
  source = "../gatherer"
  count  = var.create_gatherer ? 1 : 0

  name                     = "snakebatch-gatherer${var.name_suffix}"
  instance_type            = var.gatherer.instance_type
  vpc_id                   = var.gatherer.vpc_id
  subnet_ids               = var.gatherer.subnet_ids
  cloud_init_template_path = var.gatherer.cloud_init_template_path
  systemd_unit_path        = var.gatherer.systemd_unit_path
  wheel_s3_uri             = local.gatherer_wheel_s3_uri
  docs_s3_uri              = local.gatherer_docs_s3_uri
  wheelhouse_s3_uri        = local.gatherer_wheelhouse_s3_uri
  api_keys_parameter       = local.api_keys_parameter

  mesh = {
    region            = module.naming.region
    bucket            = module.storage.bucket_name
    reports_queue_url = module.queues.queue_url
    reports_dlq_url   = module.queues.dlq_url
    job_table         = module.storage.table_name
    function_prefix   = module.naming.function_prefix
    shard_count       = module.naming.shard_count
  }

  ingress_cidr_blocks     = var.gatherer.ingress_cidr_blocks
  create_alb              = var.gatherer.create_alb
  alb_subnet_ids          = var.gatherer.alb_subnet_ids
  certificate_arn         = var.gatherer.certificate_arn
  alb_deletion_protection = var.deletion_protection
  min_size                = var.gatherer.min_size
  max_size                = var.gatherer.max_size
  desired_capacity        = var.gatherer.desired_capacity

  permissions = {
    bucket_arn         = module.storage.bucket_arn
    reports_queue_arn  = module.queues.queue_arn
    reports_dlq_arn    = module.queues.dlq_arn
    job_table_arn      = module.storage.table_arn
    shard_function_arn = replace(module.mesh.function_arns[0], "/-[0-9][0-9]$/", "-??")
  }

  tags = var.tags
}

# The gatherer refuses to start without API keys (it would bind 0.0.0.0 unauthenticated
# otherwise), so a stack whose keys parameter nobody creates can never turn healthy:
# Terraform creates it, or the plan stops here and names it.
resource "aws_ssm_parameter" "api_keys" {
  #checkov:skip=CKV_AWS_337:The parameter holds SHA-256 hashes of the keys, not the keys; the AWS-managed aws/ssm key lets the gatherer decrypt through SSM without a key grant.
  count = var.create_gatherer && var.api_keys != null ? 1 : 0

  name        = var.gatherer.api_keys_parameter
  description = "SnakeBatch gatherer API keys file (name:sha256:HEX lines)"
  type        = "SecureString"
  value       = var.api_keys
  tags        = var.tags
}

resource "terraform_data" "api_keys_check" {
  count = var.create_gatherer ? 1 : 0

  lifecycle {
    precondition {
      condition     = var.api_keys != null || var.api_keys_parameter_exists
      error_message = "The gatherer needs its API keys in the SSM SecureString ${var.gatherer.api_keys_parameter}: pass api_keys (the contents of a keys file written by `snakebatch apikey NAME -f keys.txt`), or create the parameter yourself and set api_keys_parameter_exists = true."
    }
  }
}

locals {
  api_keys_parameter = try(aws_ssm_parameter.api_keys[0].name, var.gatherer.api_keys_parameter)
}

# A fresh account has 10 concurrent executions and 3008 MB functions: the plan stops
# here, before anything is created, rather than halfway through an apply or at the
# first training. (`snakebatch preflight` checks the same and more, with the fixes.)
data "aws_servicequotas_service_quota" "lambda_concurrency" {
  count = var.check_account_quotas ? 1 : 0

  service_code = "lambda"
  quota_code   = "L-B99A9384"
}

locals {
  reserved_total     = coalesce(var.reserved_concurrency, 0) * module.naming.shard_count
  needed_concurrency = module.naming.shard_count + 100 + local.reserved_total
}

resource "terraform_data" "account_quotas" {
  count = var.check_account_quotas ? 1 : 0

  lifecycle {
    precondition {
      condition     = data.aws_servicequotas_service_quota.lambda_concurrency[0].value >= local.needed_concurrency
      error_message = "The account's Lambda concurrent executions quota (L-B99A9384) is ${data.aws_servicequotas_service_quota.lambda_concurrency[0].value}; this stack needs ${local.needed_concurrency} (${module.naming.shard_count} shards + 100 unreserved + ${local.reserved_total} reserved). Request it: aws service-quotas request-service-quota-increase --service-code lambda --quota-code L-B99A9384 --desired-value ${local.needed_concurrency}"
    }
    precondition {
      condition     = module.naming.lambda.memory_mb <= 3008 || data.aws_servicequotas_service_quota.lambda_concurrency[0].value >= 1000
      error_message = "The shards ask ${module.naming.lambda.memory_mb} MB, but an account with a concurrency quota under 1000 is still on new-account limits (3008 MB functions): open an AWS Support case for a Lambda limit increase first."
    }
    precondition {
      condition     = var.account_concurrency_limit <= data.aws_servicequotas_service_quota.lambda_concurrency[0].value
      error_message = "account_concurrency_limit (${var.account_concurrency_limit}) exceeds the account's real quota (${data.aws_servicequotas_service_quota.lambda_concurrency[0].value}): the concurrency alarm would never fire."
    }
  }
}
