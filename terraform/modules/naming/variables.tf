variable "settings" {
  description = "snakebatch/settings.json decoded with jsondecode(file(...)): the one source of truth for names shared with the Python code."
  type = object({
    function_prefix     = string
    shard_count         = number
    reports_queue       = string
    reports_dlq         = string
    job_table           = string
    bucket              = string
    layer_name          = string
    alias               = string
    lambda_runtime      = string
    lambda_architecture = string
    lambda_memory_mb    = number
    lambda_timeout_s    = number
    region              = string
    env                 = map(string)
  })

  validation {
    condition = alltrue([
      for key in ["backend", "function_prefix", "shard_count", "bucket", "reports_queue_url", "reports_dlq_url", "job_table"] :
      contains(keys(var.settings.env), key)
    ])
    error_message = "settings.env must name the environment variables backend, function_prefix, shard_count, bucket, reports_queue_url, reports_dlq_url and job_table."
  }
}

variable "name_suffix" {
  description = "Appended to every deployed name (e.g. \"-dev\") so two environments can share an account; empty in prod."
  type        = string
  default     = ""

  validation {
    condition     = can(regex("^(-[a-z0-9]+)?$", var.name_suffix))
    error_message = "name_suffix must be empty or a dash followed by lowercase letters and digits, e.g. \"-dev\"."
  }
}

variable "shard_count" {
  description = "Overrides settings.shard_count (tests apply 3 shards); null keeps the settings value."
  type        = number
  default     = null

  validation {
    condition     = var.shard_count == null || (try(floor(var.shard_count) == var.shard_count, false) && try(var.shard_count >= 1 && var.shard_count <= 100, false))
    error_message = "shard_count must be a whole number from 1 to 100 (shard names carry two digits)."
  }
}

variable "account_id" {
  description = "AWS account the stack is deployed to; fills {account} in settings.bucket."
  type        = string
  default     = ""

  validation {
    condition     = var.account_id == "" || can(regex("^[0-9]{12}$", var.account_id))
    error_message = "account_id must be a 12-digit AWS account id."
  }
}

variable "bucket_name" {
  description = "Overrides the job bucket's name (settings.bucket with {account} and {region} filled, plus the suffix); \"\" keeps it."
  type        = string
  default     = ""

  validation {
    condition     = var.bucket_name == "" || can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.bucket_name))
    error_message = "bucket_name must be a valid S3 bucket name: 3-63 lowercase letters, digits, dots and hyphens."
  }
}

variable "shard_hash_samples" {
  description = "Model id / key pairs whose shard the module computes, so a test can compare Terraform's shard hash with snakebatch.settings.shard_for."
  type = list(object({
    model_id = string
    key      = string
  }))
  default = []
}
