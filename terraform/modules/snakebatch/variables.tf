variable "settings" {
  description = "snakebatch/settings.json decoded; names, sizes and env var names all come from it."
  type        = any
}

variable "name_suffix" {
  description = "Appended to every deployed name so environments can share an account (\"\" in prod, \"-dev\" in dev)."
  type        = string
  default     = ""
}

variable "bucket_name" {
  description = "Job bucket name; \"\" uses settings.bucket filled with the account and region (snakebatch-jobs-<account>-<region>)."
  type        = string
  default     = ""
}

variable "shard_count" {
  description = "Overrides settings.shard_count; null keeps it."
  type        = number
  default     = null
}

variable "layer_zip_path" {
  description = "Engine layer zip built by layers/ (build/layer/snakebatch-layer.zip)."
  type        = string
}

variable "function_zip_path" {
  description = "Shard function zip (build/lambda/function.zip)."
  type        = string
}

variable "reserved_concurrency" {
  description = "Reserved concurrency per shard, or null."
  type        = number
  default     = null
}

variable "maximum_retry_attempts" {
  description = "Async retries per failed shard event."
  type        = number
  default     = 1
}

variable "maximum_event_age_seconds" {
  description = "Oldest async event a shard still runs."
  type        = number
  default     = 900
}

variable "log_retention_days" {
  description = "Retention of the shards' log groups."
  type        = number
  default     = 30
}

variable "tracing_mode" {
  description = "X-Ray tracing mode of the shards."
  type        = string
  default     = "Active"
}

variable "jobs_expiry_days" {
  description = "Days after which jobs/ (staging and models) expire from the bucket; null keeps settings.job_retention_days, the job records' TTL."
  type        = number
  default     = null

  validation {
    condition     = var.jobs_expiry_days == null || try(var.jobs_expiry_days >= var.settings.job_retention_days, false)
    error_message = "jobs_expiry_days must be at least settings.json's job_retention_days: a model under jobs/ must not expire before the job record that points to it."
  }
}

variable "force_destroy" {
  description = "Let destroy empty the bucket (throwaway environments only)."
  type        = bool
  default     = false
}

variable "deletion_protection" {
  description = "Protect the job table and the ALB from deletion."
  type        = bool
  default     = true
}

variable "alarm_emails" {
  description = "Addresses subscribed to the alarm topic."
  type        = list(string)
  default     = []
}

variable "require_alarm_subscriber" {
  description = "Refuse a plan whose alarm_emails is empty (prod)."
  type        = bool
  default     = false
}

variable "composite_alarms" {
  description = "One composite alarm per shard-alarm kind notifies (true); false lets each shard alarm notify, for endpoints without composite alarms (moto)."
  type        = bool
  default     = true
}

variable "account_concurrency_limit" {
  description = "The account's Lambda concurrent-executions quota; the account-concurrency alarm fires at 80 % of it."
  type        = number
  default     = 1000
}

variable "api_keys" {
  description = "Contents of the gatherer's keys file (`snakebatch apikey NAME -f keys.txt` writes name:sha256:HEX lines); Terraform stores it as the SecureString gatherer.api_keys_parameter. null when that parameter is managed outside (api_keys_parameter_exists)."
  type        = string
  default     = null
  sensitive   = true

  validation {
    condition     = var.api_keys == null || alltrue([for line in split("\n", coalesce(var.api_keys, "-")) : can(regex("^([A-Za-z0-9_.@-]{1,64}:sha256:[0-9a-f]{64}|\\s*|#.*)$", line))])
    error_message = "api_keys must be name:sha256:<64 hex> lines (snakebatch apikey NAME -f keys.txt), never raw keys."
  }
}

variable "api_keys_parameter_exists" {
  description = "The API keys SecureString was created outside Terraform; set it to deploy a gatherer without api_keys."
  type        = bool
  default     = false
}

variable "check_account_quotas" {
  description = "Read the account's Lambda concurrency quota (Service Quotas) and refuse a plan the account cannot run (needs servicequotas:GetServiceQuota)."
  type        = bool
  default     = false
}

variable "create_gatherer" {
  description = "Create the gatherer's ASG (and, with gatherer.create_alb, its ALB)."
  type        = bool
  default     = true
}

variable "gatherer" {
  description = "Gatherer placement and options; see modules/gatherer for each field. wheel_path / docs_path are local files (build/gatherer/) uploaded under artifacts/ in the job bucket and used when wheel_s3_uri / docs_s3_uri are empty."
  type = object({
    vpc_id                   = optional(string, "")
    subnet_ids               = optional(list(string), [])
    instance_type            = optional(string, "t4g.2xlarge")
    cloud_init_template_path = optional(string, "")
    systemd_unit_path        = optional(string, "")
    wheel_s3_uri             = optional(string, "")
    docs_s3_uri              = optional(string, "")
    wheel_path               = optional(string, "")
    docs_path                = optional(string, "")
    wheelhouse_s3_uri        = optional(string, "")
    wheelhouse_path          = optional(string, "")
    api_keys_parameter       = optional(string, "/snakebatch/api-keys")
    ingress_cidr_blocks      = optional(list(string), [])
    create_alb               = optional(bool, false)
    alb_subnet_ids           = optional(list(string), [])
    certificate_arn          = optional(string)
    min_size                 = optional(number, 1)
    max_size                 = optional(number, 2)
    desired_capacity         = optional(number, 1)
  })
  default = {}

  validation {
    condition     = !var.create_gatherer || var.gatherer.wheel_s3_uri != "" || var.gatherer.wheel_path != ""
    error_message = "The gatherer needs gatherer.wheel_path (python -m layers.build writes build/gatherer/snakebatch-<version>-py3-none-any.whl) or gatherer.wheel_s3_uri."
  }
  validation {
    condition     = var.gatherer.wheel_path == "" || can(regex("(^|/)snakebatch-[^/-]+-py3-none-any\\.whl$", var.gatherer.wheel_path))
    error_message = "gatherer.wheel_path must be a pure wheel named snakebatch-<version>-py3-none-any.whl: pip installs it by that name on the arm64 gatherer."
  }
  validation {
    condition     = !var.create_gatherer || var.gatherer.wheelhouse_s3_uri != "" || var.gatherer.wheelhouse_path != ""
    error_message = "The gatherer needs gatherer.wheelhouse_path (python -m layers.build writes build/gatherer/wheelhouse.tar) or gatherer.wheelhouse_s3_uri: it installs its dependencies without the internet."
  }
  validation {
    condition     = var.gatherer.docs_path == "" || endswith(var.gatherer.docs_path, ".tar.gz")
    error_message = "gatherer.docs_path must be a .tar.gz of the docs (build/gatherer/docs.tar.gz)."
  }
}

variable "shard_hash_samples" {
  description = "Model id / key pairs whose shard is output as shard_for (consistency checks)."
  type = list(object({
    model_id = string
    key      = string
  }))
  default = []
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}
