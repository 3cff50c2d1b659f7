variable "queue_name" {
  description = "Name of the reports queue the leaves send to and the gatherer drains (settings.reports_queue)."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,80}$", var.queue_name))
    error_message = "queue_name must be 1-80 letters, digits, hyphens or underscores (standard queue)."
  }
}

variable "dlq_name" {
  description = "Name of the dead-letter queue (settings.reports_dlq)."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,80}$", var.dlq_name))
    error_message = "dlq_name must be 1-80 letters, digits, hyphens or underscores (standard queue)."
  }
}

variable "visibility_timeout_seconds" {
  description = "How long a received report stays hidden. The drainer ingests and deletes a batch of 10 in well under a second; 60 s matches the local queue's default and leaves room for a GC pause without redelivering."
  type        = number
  default     = 60

  validation {
    condition     = var.visibility_timeout_seconds >= 10 && var.visibility_timeout_seconds <= 43200
    error_message = "visibility_timeout_seconds must be between 10 and 43200 (12 h)."
  }
}

variable "receive_wait_time_seconds" {
  description = "Default long-poll wait; the drainer asks for 2 s itself, this only applies to callers that do not."
  type        = number
  default     = 2

  validation {
    condition     = var.receive_wait_time_seconds >= 0 && var.receive_wait_time_seconds <= 20
    error_message = "receive_wait_time_seconds must be between 0 and 20."
  }
}

variable "message_retention_seconds" {
  description = "How long an undrained report is kept (a gatherer outage shorter than this loses nothing)."
  type        = number
  default     = 345600

  validation {
    condition     = var.message_retention_seconds >= 60 && var.message_retention_seconds <= 1209600
    error_message = "message_retention_seconds must be between 60 and 1209600 (14 days)."
  }
}

variable "dlq_message_retention_seconds" {
  description = "How long dead letters are kept for inspection; at least the main queue's retention so nothing expires before an operator sees it."
  type        = number
  default     = 1209600

  validation {
    condition     = var.dlq_message_retention_seconds >= var.message_retention_seconds && var.dlq_message_retention_seconds <= 1209600
    error_message = "dlq_message_retention_seconds must be at least message_retention_seconds and at most 1209600 (14 days)."
  }
}

variable "max_receive_count" {
  description = "Receives before a report moves to the DLQ (a report the drainer keeps failing on is poison, not slow)."
  type        = number
  default     = 5

  validation {
    condition     = var.max_receive_count >= 1 && var.max_receive_count <= 1000
    error_message = "max_receive_count must be between 1 and 1000."
  }
}

variable "kms_master_key_id" {
  description = "KMS key for queue encryption; null uses SQS-managed SSE."
  type        = string
  default     = null
}

variable "tags" {
  description = "Tags for both queues."
  type        = map(string)
  default     = {}
}
