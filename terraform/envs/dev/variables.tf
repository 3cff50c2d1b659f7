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
  description = "Addresses subscribed to the alarm topic."
  type        = list(string)
  default     = []
}

variable "wheel_s3_uri" {
  description = "s3:// URI of the snakebatch wheel the gatherer installs."
  type        = string
}

variable "docs_s3_uri" {
  description = "s3:// URI of the docs tarball the gatherer serves; empty for none."
  type        = string
  default     = ""
}
