variable "function_prefix" {
  description = "Shard functions are named format(\"%s-%02d\", function_prefix, shard) (settings.function_prefix)."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,61}$", var.function_prefix))
    error_message = "function_prefix must be 1-61 letters, digits, hyphens or underscores (room for \"-NN\" within Lambda's 64)."
  }
}

variable "shard_count" {
  description = "Number of isolated shard functions; a job's nodes spread over them by shard_for(model_id, key)."
  type        = number
  default     = 100

  validation {
    condition     = floor(var.shard_count) == var.shard_count && var.shard_count >= 1 && var.shard_count <= 100
    error_message = "shard_count must be a whole number from 1 to 100 (shard names carry two digits)."
  }
}

variable "package_path" {
  description = "Path of the function zip (build/lambda/function.zip); its hash redeploys every shard when the code changes."
  type        = string

  validation {
    condition     = endswith(var.package_path, ".zip")
    error_message = "package_path must point at a .zip file."
  }
}

variable "handler" {
  description = "The one handler every shard runs; roles are dispatched by event[\"role\"]."
  type        = string
  default     = "functions/handler_snake.handler"

  validation {
    condition     = can(regex("^[A-Za-z0-9_/.]+\\.[A-Za-z_][A-Za-z0-9_]*$", var.handler))
    error_message = "handler must look like path/module.function."
  }
}

variable "runtime" {
  description = "Lambda runtime (settings.lambda_runtime); must be one the layer was built for."
  type        = string

  validation {
    condition     = can(regex("^python3\\.[0-9]+$", var.runtime))
    error_message = "runtime must be a Python runtime such as python3.11."
  }
}

variable "architecture" {
  description = "CPU architecture (settings.lambda_architecture); must be one the layer was built for."
  type        = string

  validation {
    condition     = contains(["x86_64", "arm64"], var.architecture)
    error_message = "architecture must be x86_64 or arm64."
  }
}

variable "memory_size" {
  description = "Memory per shard in MB; 4096 MB also buys the CPU share a leaf's Snake training needs."
  type        = number
  default     = 4096

  validation {
    condition     = var.memory_size >= 128 && var.memory_size <= 10240
    error_message = "memory_size must be between 128 and 10240 MB."
  }
}

variable "timeout" {
  description = "Timeout per invocation in seconds; the conquer role's DynamoDB poll must finish inside it."
  type        = number
  default     = 300

  validation {
    condition     = var.timeout >= 1 && var.timeout <= 900
    error_message = "timeout must be between 1 and 900 seconds."
  }
}

variable "layer" {
  description = "The engine layer version (the layer module's outputs): its ARN and what it was built for."
  type = object({
    arn                      = string
    compatible_runtimes      = list(string)
    compatible_architectures = list(string)
  })
}

variable "alias_name" {
  description = "Alias on every shard's published version; provisioned concurrency attaches to it (settings.alias)."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z][A-Za-z0-9_-]{0,127}$", var.alias_name)) && !can(regex("^[0-9]+$", var.alias_name))
    error_message = "alias_name must start with a letter and use letters, digits, hyphens or underscores."
  }
}

variable "reserved_concurrency" {
  description = "Reserved concurrency per shard, capping a runaway job at its own shard; null leaves shards on the unreserved pool."
  type        = number
  default     = null

  validation {
    condition     = var.reserved_concurrency == null || try(var.reserved_concurrency >= 0 && floor(var.reserved_concurrency) == var.reserved_concurrency, false)
    error_message = "reserved_concurrency must be null or a whole number >= 0."
  }
  validation {
    condition     = var.reserved_concurrency == null || try(var.reserved_concurrency * var.shard_count <= var.account_concurrency_limit - 100, false)
    error_message = "reserved_concurrency x shard_count must leave at least 100 of account_concurrency_limit unreserved (AWS refuses to reserve the last 100)."
  }
}

variable "account_concurrency_limit" {
  description = "The account's Lambda concurrent-executions quota (L-B99A9384); reservations must leave 100 of it unreserved."
  type        = number
  default     = 1000

  validation {
    condition     = var.account_concurrency_limit >= 10
    error_message = "account_concurrency_limit must be at least 10 (the smallest Lambda quota)."
  }
}

variable "provisioned_concurrency" {
  description = "Provisioned concurrency per shard alias kept on permanently; 0 because slots are billed 24/7 and the ops toggle turns them on with a TTL instead."
  type        = number
  default     = 0

  validation {
    condition     = floor(var.provisioned_concurrency) == var.provisioned_concurrency && var.provisioned_concurrency >= 0
    error_message = "provisioned_concurrency must be a whole number >= 0."
  }
}

variable "maximum_retry_attempts" {
  description = "Async retries of a failed event. Kept low: the predecessor's v6 burned $1057 retrying into its own throttle; nodes are deterministic, so a retry only helps transient faults."
  type        = number
  default     = 1

  validation {
    condition     = contains([0, 1, 2], var.maximum_retry_attempts)
    error_message = "maximum_retry_attempts must be 0, 1 or 2."
  }
}

variable "maximum_event_age_seconds" {
  description = "Drop (to the failure destination) an async event queued longer than this; a stale node of a wedged job is not worth running."
  type        = number
  default     = 900

  validation {
    condition     = var.maximum_event_age_seconds >= 60 && var.maximum_event_age_seconds <= 21600
    error_message = "maximum_event_age_seconds must be between 60 and 21600."
  }
}

variable "on_failure_destination_arn" {
  description = "SQS queue or SNS topic ARN that receives events which failed or expired; the stack uses the reports queue, whose drainer turns the records into error reports."
  type        = string

  validation {
    condition     = can(regex("^arn:aws[a-z-]*:(sqs|sns):[a-z0-9-]+:[0-9]{12}:[A-Za-z0-9_.-]+$", var.on_failure_destination_arn))
    error_message = "on_failure_destination_arn must be the ARN of an SQS queue or an SNS topic."
  }
}

variable "environment_variables" {
  description = "Environment of every shard, keyed by the names in settings.env (queue URL, bucket, table, ...)."
  type        = map(string)
  default     = {}
}

variable "bucket_arn" {
  description = "ARN of the job bucket; shards read under jobs_prefix and predict_prefix and write only spilled leaf reports (jobs/*/leaves/*, jobs/*/spill/*) and prediction answers (predict/*/out-*)."
  type        = string
}

variable "jobs_prefix" {
  description = "Key prefix of staged jobs in the bucket."
  type        = string
  default     = "jobs/"
}

variable "predict_prefix" {
  description = "Key prefix of mesh predictions (predict/{request_id}/...): shards read the batch and write each chunk's answers."
  type        = string
  default     = "predict/"
}

variable "reports_queue_arn" {
  description = "ARN of the reports queue, the only queue shards may send to."
  type        = string
}

variable "job_table_arn" {
  description = "ARN of the job table, the only table shards may read and update."
  type        = string
}

variable "log_retention_days" {
  description = "Retention of each shard's log group."
  type        = number
  default     = 30

  validation {
    condition     = contains([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653], var.log_retention_days)
    error_message = "log_retention_days must be a value CloudWatch Logs accepts (1, 3, 5, 7, 14, 30, 60, 90, ... 3653)."
  }
}

variable "tracing_mode" {
  description = "X-Ray tracing mode; Active samples the divide fan-out so a slow chain shows up."
  type        = string
  default     = "Active"

  validation {
    condition     = contains(["Active", "PassThrough"], var.tracing_mode)
    error_message = "tracing_mode must be Active or PassThrough."
  }
}

variable "tags" {
  description = "Tags for every resource of the mesh."
  type        = map(string)
  default     = {}
}
