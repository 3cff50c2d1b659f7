variable "layer_name" {
  description = "Name of the Lambda layer (settings.layer_name)."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9_-]{1,140}$", var.layer_name))
    error_message = "layer_name must be 1-140 letters, digits, hyphens or underscores."
  }
}

variable "zip_path" {
  description = "Path of the layer zip built by layers/ (build/layer/snakebatch-layer.zip); its hash is the source hash, so a rebuild publishes a new version."
  type        = string

  validation {
    condition     = endswith(var.zip_path, ".zip")
    error_message = "zip_path must point at a .zip file."
  }
}

variable "compatible_runtimes" {
  description = "Lambda runtimes the layer's compiled wheels were built for."
  type        = list(string)

  validation {
    condition     = length(var.compatible_runtimes) > 0 && alltrue([for r in var.compatible_runtimes : can(regex("^python3\\.[0-9]+$", r))])
    error_message = "compatible_runtimes must list at least one Python runtime such as python3.11."
  }
}

variable "compatible_architectures" {
  description = "CPU architectures the layer's compiled wheels were built for."
  type        = list(string)

  validation {
    condition     = length(var.compatible_architectures) > 0 && alltrue([for a in var.compatible_architectures : contains(["x86_64", "arm64"], a)])
    error_message = "compatible_architectures must list x86_64 and/or arm64."
  }
}

variable "description" {
  description = "Description stored on each layer version."
  type        = string
  default     = "SnakeBatch engine (Snake trainer and compiled kernels)"
}
