variable "settings" {
  description = "snakebatch/settings.json decoded; names, sizes and env var names all come from it."
  type        = any
}

variable "name_suffix" {
  description = "Appended to every deployed name so environments can share an account (\"\" in prod, \"-dev\" in dev)."
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
  description = "Days after which staged jobs expire from the bucket."
  type        = number
  default     = 14
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

variable "create_gatherer" {
  description = "Create the gatherer's ASG (and, with gatherer.create_alb, its ALB)."
  type        = bool
  default     = true
}

variable "gatherer" {
  description = "Gatherer placement and options; see modules/gatherer for each field."
  type = object({
    vpc_id                   = optional(string, "")
    subnet_ids               = optional(list(string), [])
    instance_type            = optional(string, "t4g.2xlarge")
    cloud_init_template_path = optional(string, "")
    systemd_unit_path        = optional(string, "")
    wheel_s3_uri             = optional(string, "")
    docs_s3_uri              = optional(string, "")
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
