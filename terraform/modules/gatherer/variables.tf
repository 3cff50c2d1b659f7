variable "name" {
  description = "Name of the gatherer's resources (ASG, launch template, role, security groups, ALB)."
  type        = string
  default     = "snakebatch-gatherer"

  validation {
    condition     = can(regex("^[a-z0-9-]{1,28}$", var.name))
    error_message = "name must be 1-28 lowercase letters, digits or hyphens (it prefixes ALB and target group names, capped at 32)."
  }
}

variable "instance_type" {
  description = "Instance type; must be Graviton (arm64) to match the AMI. t4g.2xlarge gives the 4-thread drainer and the web workers 8 vCPU / 32 GB."
  type        = string
  default     = "t4g.2xlarge"

  validation {
    condition     = can(regex("^[a-z]+[0-9]+g[a-z]*\\.[0-9a-z]+$", var.instance_type))
    error_message = "instance_type must be a Graviton (arm64) type such as t4g.2xlarge or c7g.xlarge."
  }
}

variable "ami_ssm_parameter" {
  description = "Public SSM parameter holding the latest arm64 AMI id, so instance refreshes pick up patched images."
  type        = string
  default     = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64"

  validation {
    condition     = startswith(var.ami_ssm_parameter, "/aws/service/") && strcontains(var.ami_ssm_parameter, "arm64")
    error_message = "ami_ssm_parameter must be a public /aws/service/... parameter of an arm64 AMI."
  }
}

variable "vpc_id" {
  description = "VPC the gatherer runs in."
  type        = string

  validation {
    condition     = can(regex("^vpc-[0-9a-f]+$", var.vpc_id))
    error_message = "vpc_id must look like vpc-0123abcd."
  }
}

variable "subnet_ids" {
  description = "Subnets of the autoscaling group (private ones when the ALB is on)."
  type        = list(string)

  validation {
    condition     = length(var.subnet_ids) > 0 && alltrue([for s in var.subnet_ids : can(regex("^subnet-[0-9a-f]+$", s))])
    error_message = "subnet_ids must list at least one subnet id (subnet-...)."
  }
}

variable "min_size" {
  description = "Minimum instances. The job store is per instance, so more than one needs a shared store first."
  type        = number
  default     = 1

  validation {
    condition     = var.min_size >= 0
    error_message = "min_size must be >= 0."
  }
}

variable "max_size" {
  description = "Maximum instances (one extra lets an instance refresh launch before it terminates)."
  type        = number
  default     = 2

  validation {
    condition     = var.max_size >= var.min_size && var.max_size >= 1
    error_message = "max_size must be at least 1 and at least min_size."
  }
}

variable "desired_capacity" {
  description = "Instances to run."
  type        = number
  default     = 1

  validation {
    condition     = var.desired_capacity >= var.min_size && var.desired_capacity <= var.max_size
    error_message = "desired_capacity must lie between min_size and max_size."
  }
}

variable "root_volume_size" {
  description = "Root volume size in GB (gp3, always encrypted)."
  type        = number
  default     = 30

  validation {
    condition     = var.root_volume_size >= 8 && var.root_volume_size <= 16384
    error_message = "root_volume_size must be between 8 and 16384 GB."
  }
}

variable "ebs_kms_key_arn" {
  description = "KMS key of the root volume; null uses the account's default EBS key."
  type        = string
  default     = null
}

variable "app_port" {
  description = "Port gunicorn listens on (template variable port)."
  type        = number
  default     = 8080

  validation {
    condition     = var.app_port >= 1024 && var.app_port <= 65535
    error_message = "app_port must be an unprivileged port (1024-65535)."
  }
}

variable "workers" {
  description = "gunicorn worker processes (template variable workers); one per vCPU of t4g.2xlarge."
  type        = number
  default     = 8

  validation {
    condition     = var.workers >= 1 && var.workers <= 64 && floor(var.workers) == var.workers
    error_message = "workers must be a whole number from 1 to 64."
  }
}

variable "health_check_path" {
  description = "HTTP path the ALB target group probes."
  type        = string
  default     = "/v9/health"

  validation {
    condition     = startswith(var.health_check_path, "/")
    error_message = "health_check_path must start with a slash."
  }
}

variable "cloud_init_template_path" {
  description = "Path of gatherer/cloud-init.yaml.tftpl (the user data)."
  type        = string

  validation {
    condition     = endswith(var.cloud_init_template_path, ".tftpl")
    error_message = "cloud_init_template_path must point at a .tftpl template."
  }
}

variable "systemd_unit_path" {
  description = "Path of gatherer/snakebatch-gatherer.service, embedded in the user data."
  type        = string

  validation {
    condition     = endswith(var.systemd_unit_path, ".service")
    error_message = "systemd_unit_path must point at a .service unit file."
  }
}

variable "wheel_s3_uri" {
  description = "s3:// URI of the snakebatch wheel the instance installs."
  type        = string

  validation {
    condition     = can(regex("^s3://[a-z0-9][a-z0-9.-]+/.+\\.whl$", var.wheel_s3_uri))
    error_message = "wheel_s3_uri must be an s3://bucket/key.whl URI."
  }
}

variable "wheelhouse_s3_uri" {
  description = "s3:// URI of wheelhouse.tar (python -m layers.build): every dependency as a linux aarch64 cp311 wheel and a requirements.txt pinning each by hash, so the instance installs without the internet."
  type        = string

  validation {
    condition     = can(regex("^s3://[a-z0-9][a-z0-9.-]+/.+\\.tar$", var.wheelhouse_s3_uri))
    error_message = "wheelhouse_s3_uri must be an s3://bucket/key.tar URI."
  }
}

variable "alb_idle_timeout" {
  description = "Seconds the ALB keeps an idle connection: longer than the longest request (predict-sync waits up to 120 s for its fan-out)."
  type        = number
  default     = 180

  validation {
    condition     = var.alb_idle_timeout > 120 && var.alb_idle_timeout <= 4000
    error_message = "alb_idle_timeout must exceed predict-sync's 120 s wait (and AWS allows at most 4000 s)."
  }
}

variable "docs_s3_uri" {
  description = "s3:// URI of a tarball of docs/*.md served as pages; empty for none."
  type        = string
  default     = ""

  validation {
    condition     = var.docs_s3_uri == "" || can(regex("^s3://[a-z0-9][a-z0-9.-]+/.+$", var.docs_s3_uri))
    error_message = "docs_s3_uri must be empty or an s3://bucket/key URI."
  }
}

variable "api_keys_parameter" {
  description = "SSM SecureString holding the API keys file (name:sha256:HEX lines)."
  type        = string
  default     = "/snakebatch/api-keys"

  validation {
    condition     = can(regex("^/[A-Za-z0-9_./-]+$", var.api_keys_parameter))
    error_message = "api_keys_parameter must be an SSM parameter path starting with a slash."
  }
}

variable "api_keys_kms_key_arn" {
  description = "Customer-managed KMS key encrypting api_keys_parameter; null for the AWS-managed aws/ssm key. The role may decrypt with this key only, only through SSM, only for that parameter."
  type        = string
  default     = null

  validation {
    condition     = var.api_keys_kms_key_arn == null || can(regex("^arn:[a-z-]+:kms:[a-z0-9-]+:[0-9]{12}:key/[0-9a-f-]+$", var.api_keys_kms_key_arn))
    error_message = "api_keys_kms_key_arn must be a KMS key ARN (arn:aws:kms:REGION:ACCOUNT:key/ID), not an alias or key/*."
  }
}

variable "mesh" {
  description = "Where the mesh lives: the names and URLs the gatherer drives (from the other modules)."
  type = object({
    region            = string
    bucket            = string
    reports_queue_url = string
    reports_dlq_url   = string
    job_table         = string
    function_prefix   = string
    shard_count       = number
  })
}

variable "ingress_cidr_blocks" {
  description = "Clients allowed to reach the API (the ALB when it is on, else the instance port)."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for c in var.ingress_cidr_blocks : can(cidrhost(c, 0))])
    error_message = "ingress_cidr_blocks must be CIDR blocks such as 203.0.113.0/24."
  }
}

variable "create_alb" {
  description = "Put an HTTPS application load balancer in front of the ASG."
  type        = bool
  default     = false
}

variable "alb_subnet_ids" {
  description = "Subnets of the ALB (public ones for an internet-facing API)."
  type        = list(string)
  default     = []

  validation {
    condition     = alltrue([for s in var.alb_subnet_ids : can(regex("^subnet-[0-9a-f]+$", s))])
    error_message = "alb_subnet_ids must be subnet ids (subnet-...)."
  }
}

variable "alb_internal" {
  description = "Make the ALB internal (reachable only inside the VPC)."
  type        = bool
  default     = false
}

variable "certificate_arn" {
  description = "ACM certificate of the HTTPS listener; required when create_alb is true."
  type        = string
  default     = null

  validation {
    condition     = !var.create_alb || can(regex("^arn:aws[a-z-]*:acm:", var.certificate_arn))
    error_message = "certificate_arn must be an ACM certificate ARN when create_alb is true."
  }
}

variable "alb_deletion_protection" {
  description = "Protect the ALB from deletion (on in prod)."
  type        = bool
  default     = true
}

variable "permissions" {
  description = "What the gatherer drives: the ARNs its role is scoped to."
  type = object({
    bucket_arn         = string
    reports_queue_arn  = string
    reports_dlq_arn    = string
    job_table_arn      = string
    shard_function_arn = string
  })
}

variable "tags" {
  description = "Tags for every resource, propagated to instances."
  type        = map(string)
  default     = {}
}
