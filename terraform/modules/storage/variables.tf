variable "bucket_name" {
  description = "Name of the bucket for staged populations, spilled reports and models (settings.bucket)."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.bucket_name))
    error_message = "bucket_name must be 3-63 lowercase letters, digits, dots or hyphens, starting and ending with a letter or digit."
  }
}

variable "jobs_prefix" {
  description = "Key prefix of per-job staging (jobs/{model_id}/...); lifecycle expiry applies only here."
  type        = string
  default     = "jobs/"

  validation {
    condition     = can(regex("^[a-z0-9_-]+/$", var.jobs_prefix))
    error_message = "jobs_prefix must be one path segment ending in a slash, e.g. \"jobs/\"."
  }
}

variable "jobs_expiry_days" {
  description = "Days after which jobs/ objects (staging and the models) expire; at least the job records' TTL (settings.json job_retention_days), so status never points at an expired model."
  type        = number
  default     = 30

  validation {
    condition     = var.jobs_expiry_days >= 1 && var.jobs_expiry_days <= 3650
    error_message = "jobs_expiry_days must be between 1 and 3650."
  }
}

variable "uploads_expiry_days" {
  description = "Days after which gatherer uploads (uploads/{id}/...) expire; an upload only has to outlive the trainings started from it."
  type        = number
  default     = 7

  validation {
    condition     = var.uploads_expiry_days >= 1 && var.uploads_expiry_days <= 3650
    error_message = "uploads_expiry_days must be between 1 and 3650."
  }
}

variable "noncurrent_version_expiry_days" {
  description = "Days a replaced or deleted object version is kept (versioning protects against overwrite, not forever)."
  type        = number
  default     = 7

  validation {
    condition     = var.noncurrent_version_expiry_days >= 1 && var.noncurrent_version_expiry_days <= 365
    error_message = "noncurrent_version_expiry_days must be between 1 and 365."
  }
}

variable "kms_key_arn" {
  description = "KMS key for bucket encryption; null uses the AWS-managed aws/s3 key."
  type        = string
  default     = null
}

variable "force_destroy" {
  description = "Let destroy empty the bucket; for throwaway environments only."
  type        = bool
  default     = false
}

variable "table_name" {
  description = "Name of the DynamoDB job table (settings.job_table)."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_.-]{3,255}$", var.table_name))
    error_message = "table_name must be 3-255 letters, digits, underscores, dots or hyphens."
  }
}

variable "table_hash_key" {
  description = "Hash key (type S) of the job table; snakebatch.backends.aws_table.KEY."
  type        = string
  default     = "pk"
}

variable "table_ttl_attribute" {
  description = "Epoch-seconds attribute DynamoDB expires items by; snakebatch.backends.aws_table.TTL_ATTRIBUTE."
  type        = string
  default     = "expires_at"

  validation {
    condition     = length(var.table_ttl_attribute) > 0
    error_message = "table_ttl_attribute must not be empty."
  }
}

variable "deletion_protection" {
  description = "Protect the job table from deletion (on in prod)."
  type        = bool
  default     = true
}

variable "tags" {
  description = "Tags for the bucket and the table."
  type        = map(string)
  default     = {}
}
