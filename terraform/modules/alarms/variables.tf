variable "function_names" {
  description = "Shard function names; every one of them gets every per-shard alarm."
  type        = list(string)

  validation {
    condition     = length(var.function_names) > 0 && length(distinct(var.function_names)) == length(var.function_names)
    error_message = "function_names must list at least one function, without duplicates."
  }
}

variable "function_timeout_seconds" {
  description = "The shards' timeout; the Duration p99 alarm fires near it."
  type        = number

  validation {
    condition     = var.function_timeout_seconds >= 1 && var.function_timeout_seconds <= 900
    error_message = "function_timeout_seconds must be between 1 and 900."
  }
}

variable "duration_threshold_ratio" {
  description = "Fraction of the timeout at which p99 Duration alarms (a conquer poll nearing the wall)."
  type        = number
  default     = 0.8

  validation {
    condition     = var.duration_threshold_ratio > 0 && var.duration_threshold_ratio < 1
    error_message = "duration_threshold_ratio must be strictly between 0 and 1."
  }
}

variable "errors_threshold" {
  description = "Errors per period on one shard that raise its alarm."
  type        = number
  default     = 1

  validation {
    condition     = var.errors_threshold >= 1
    error_message = "errors_threshold must be at least 1."
  }
}

variable "throttles_threshold" {
  description = "Throttles per period on one shard that raise its alarm (the scaling-rate ceiling shows up here first)."
  type        = number
  default     = 1

  validation {
    condition     = var.throttles_threshold >= 1
    error_message = "throttles_threshold must be at least 1."
  }
}

variable "event_age_threshold_seconds" {
  description = "Oldest queued async event (AsyncEventAge) that means a shard is falling behind."
  type        = number
  default     = 120

  validation {
    condition     = var.event_age_threshold_seconds >= 1
    error_message = "event_age_threshold_seconds must be at least 1."
  }
}

variable "period_seconds" {
  description = "Evaluation period of every alarm."
  type        = number
  default     = 60

  validation {
    condition     = contains([10, 30], var.period_seconds) || (var.period_seconds >= 60 && var.period_seconds % 60 == 0)
    error_message = "period_seconds must be 10, 30 or a multiple of 60."
  }
}

variable "reports_queue_name" {
  description = "Reports queue whose oldest message age is watched (a stalled drainer)."
  type        = string
}

variable "reports_dlq_name" {
  description = "Dead-letter queue whose depth is watched (anything there needs a human)."
  type        = string
}

variable "queue_age_threshold_seconds" {
  description = "Age of the oldest undrained report that raises the queue alarm."
  type        = number
  default     = 300

  validation {
    condition     = var.queue_age_threshold_seconds >= 1
    error_message = "queue_age_threshold_seconds must be at least 1."
  }
}

variable "topic_name" {
  description = "Name of the SNS topic every alarm notifies."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,256}$", var.topic_name))
    error_message = "topic_name must be 1-256 letters, digits, hyphens or underscores."
  }
}

variable "topic_kms_key_id" {
  description = "KMS key that encrypts the alarm topic; null creates a customer-managed key whose policy lets CloudWatch publish. A given key's policy must grant cloudwatch.amazonaws.com kms:Decrypt and kms:GenerateDataKey*."
  type        = string
  default     = null

  validation {
    condition     = var.topic_kms_key_id == null || !startswith(coalesce(var.topic_kms_key_id, "-"), "alias/aws/")
    error_message = "topic_kms_key_id must not be an AWS-managed key (alias/aws/...): CloudWatch cannot publish to a topic it encrypts. Leave it null to create a customer-managed key."
  }
}

variable "require_subscriber" {
  description = "Refuse a plan without any alarm subscriber (prod: an alarm nobody receives is no alarm)."
  type        = bool
  default     = false
}

variable "alarm_emails" {
  description = "Addresses subscribed to the alarm topic (each must confirm)."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for e in var.alarm_emails : can(regex("^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", e))])
    error_message = "alarm_emails must be email addresses."
  }
  validation {
    condition     = !var.require_subscriber || length(var.alarm_emails) > 0
    error_message = "alarm_emails must name at least one address: this environment requires an alarm subscriber."
  }
}

variable "composite_alarms" {
  description = "Aggregate the per-shard alarms into one composite alarm per kind, which alone notifies; false makes every shard alarm notify (only for endpoints without composite alarms, such as moto)."
  type        = bool
  default     = true
}

variable "extra_dlq_names" {
  description = "Further dead-letter queues (e.g. the provisioned-concurrency schedules' DLQ) whose depth raises an alarm."
  type        = list(string)
  default     = []
}

variable "account_concurrency_limit" {
  description = "The account's Lambda concurrent-executions quota (L-B99A9384) in this region."
  type        = number
  default     = 1000

  validation {
    condition     = var.account_concurrency_limit >= 10
    error_message = "account_concurrency_limit must be at least 10 (the smallest Lambda quota)."
  }
}

variable "concurrency_alarm_ratio" {
  description = "Fraction of account_concurrency_limit at which the account-concurrency alarm fires."
  type        = number
  default     = 0.8

  validation {
    condition     = var.concurrency_alarm_ratio > 0 && var.concurrency_alarm_ratio < 1
    error_message = "concurrency_alarm_ratio must be strictly between 0 and 1."
  }
}

variable "gatherer_target" {
  description = "ARN suffixes of the gatherer's load balancer and target group, whose unhealthy hosts raise an alarm; null without an ALB."
  type = object({
    load_balancer = string
    target_group  = string
  })
  default = null
}

variable "pc_guard" {
  description = "The provisioned-concurrency sweeper: its function, metric namespace, sweep period and the longest TTL a toggle may have; null without one."
  type = object({
    sweeper_function     = string
    namespace            = string
    sweep_period_seconds = number
    max_ttl_seconds      = number
  })
  default = null
}

variable "tags" {
  description = "Tags for the topic and the alarms."
  type        = map(string)
  default     = {}
}
