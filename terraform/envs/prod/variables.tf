variable "layer_zip_path" {
  description = "Engine layer zip; null uses build/layer/snakebatch-layer.zip at the repository root."
  type        = string
  default     = null
}

variable "function_zip_path" {
  description = "Shard function zip; null uses build/lambda/function.zip at the repository root."
  type        = string
  default     = null
}

variable "vpc_id" {
  description = "VPC of the gatherer."
  type        = string
}

variable "subnet_ids" {
  description = "Subnets of the gatherer's autoscaling group."
  type        = list(string)
}

variable "ingress_cidr_blocks" {
  description = "Clients allowed to reach the gatherer's API."
  type        = list(string)
}

variable "alarm_emails" {
  description = "Addresses subscribed to the alarm topic; prod needs at least one (each must confirm the subscription)."
  type        = list(string)

  validation {
    condition     = length(var.alarm_emails) > 0
    error_message = "alarm_emails must name at least one address: an alarm nobody receives is no alarm."
  }
}

variable "alb_subnet_ids" {
  description = "Public subnets of the gatherer's HTTPS load balancer (two or more AZs)."
  type        = list(string)
}

variable "certificate_arn" {
  description = "ACM certificate for the gatherer's HTTPS listener."
  type        = string
}

variable "wheel_s3_uri" {
  description = "s3:// URI of a wheel the gatherer installs instead of the built one; empty uploads build/gatherer/snakebatch-*.whl."
  type        = string
  default     = ""
}

variable "wheelhouse_s3_uri" {
  description = "s3:// URI of a wheelhouse.tar the gatherer installs its dependencies from; empty uploads build/gatherer/wheelhouse.tar."
  type        = string
  default     = ""
}

variable "gatherer_wheelhouse_path" {
  description = "Wheelhouse tarball to upload; null uses build/gatherer/wheelhouse.tar (python -m layers.build)."
  type        = string
  default     = null
}

variable "docs_s3_uri" {
  description = "s3:// URI of a docs tarball the gatherer serves instead of the built one; empty uploads build/gatherer/docs.tar.gz."
  type        = string
  default     = ""
}

variable "gatherer_wheel_path" {
  description = "Gatherer wheel to upload; null uses the one snakebatch-*.whl in build/gatherer/ (python -m layers.build)."
  type        = string
  default     = null
}

variable "gatherer_docs_path" {
  description = "Docs tarball to upload; null uses build/gatherer/docs.tar.gz (python -m layers.build), \"\" serves no docs."
  type        = string
  default     = null
}

variable "api_keys" {
  description = "Keys file contents (snakebatch apikey NAME -f keys.txt), stored as the SSM SecureString /snakebatch/api-keys; e.g. -var \"api_keys=$(cat keys.txt)\"."
  type        = string
  default     = null
  sensitive   = true
}

variable "api_keys_parameter_exists" {
  description = "/snakebatch/api-keys was created outside Terraform (then api_keys stays null)."
  type        = bool
  default     = false
}

variable "bucket_name" {
  description = "Job bucket name; \"\" uses snakebatch-jobs-<account>-<region> (settings.bucket filled in)."
  type        = string
  default     = ""
}

variable "account_concurrency_limit" {
  description = "The account's Lambda concurrent-executions quota (L-B99A9384) after your increase; the plan checks it against Service Quotas."
  type        = number
  default     = 1000
}

variable "deletion_protection" {
  description = "Protect the job table and the ALB from deletion; set false and apply before terraform destroy."
  type        = bool
  default     = true
}
