variable "endpoint" {
  description = "Loopback AWS endpoint (a moto server) every service is pointed at."
  type        = string
  default     = "http://127.0.0.1:5000"

  validation {
    condition     = can(regex("^http://(127\\.0\\.0\\.1|localhost):[0-9]+$", var.endpoint))
    error_message = "endpoint must be a loopback URL such as http://127.0.0.1:5000; this env never talks to real AWS."
  }
}

variable "shard_count" {
  description = "Shards to create; null keeps settings.shard_count (100)."
  type        = number
  default     = null
}

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

variable "create_gatherer" {
  description = "Also create the gatherer ASG in the endpoint's default VPC."
  type        = bool
  default     = false
}

variable "shard_hash_samples" {
  description = "Model id / key pairs whose shard is output as shard_for."
  type = list(object({
    model_id = string
    key      = string
  }))
  default = []
}

variable "gatherer_docs_path" {
  description = "Docs tarball uploaded under artifacts/ as prod does with build/gatherer/docs.tar.gz; \"\" for none. The tests only plan it: moto ignores the Condition of the bucket's TLS-only Deny and refuses every object write."
  type        = string
  default     = ""
}
