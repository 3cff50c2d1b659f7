variable "function_prefix" {
  description = "Prefix of the shard functions; the role, DLQ and sweeper are named from it as snakebatch.ops.toggle expects."
  type        = string
}

variable "alias_arns" {
  description = "ARNs of the shards' live aliases: the only configs the scheduler role and the sweeper may turn off."
  type        = list(string)

  validation {
    condition     = length(var.alias_arns) > 0 && alltrue([for a in var.alias_arns : can(regex("^arn:[^:]+:lambda:[^:]+:[0-9]{12}:function:[^:]+:[^:]+$", a))])
    error_message = "alias_arns must list at least one Lambda alias ARN (arn:...:function:<name>:<alias>)."
  }
}

variable "package_path" {
  description = "Function zip holding functions/handler_sweep.py (build/lambda/function.zip)."
  type        = string
}

variable "layer_arn" {
  description = "Engine layer the sweeper imports snakebatch from."
  type        = string
}

variable "runtime" {
  description = "Lambda runtime of the sweeper (the layer's)."
  type        = string
}

variable "architecture" {
  description = "Architecture of the sweeper (the layer's)."
  type        = string
}

variable "environment_variables" {
  description = "The shards' environment (function prefix, shard count), so the sweeper finds the same shards."
  type        = map(string)
}

variable "sweep_period_seconds" {
  description = "How often the sweeper runs."
  type        = number
  default     = 900

  validation {
    condition     = var.sweep_period_seconds >= 60 && var.sweep_period_seconds % 60 == 0
    error_message = "sweep_period_seconds must be a whole number of minutes, at least 60."
  }
}

variable "metric_namespace" {
  description = "CloudWatch namespace of the sweeper's OldestProvisionedConcurrencyAge metric."
  type        = string
  default     = "SnakeBatch"
}

variable "log_retention_days" {
  description = "Retention of the sweeper's log group."
  type        = number
  default     = 30
}

variable "tags" {
  description = "Tags for every resource."
  type        = map(string)
  default     = {}
}
