# The whole stack, as envs/prod composes it: 100 shards, alarms, and the gatherer
# behind an HTTPS load balancer. Supply your network and certificate.

provider "aws" {
  region = local.settings.region
}

locals {
  repo_root = "${path.root}/../../.."
  settings  = jsondecode(file("${local.repo_root}/snakebatch/settings.json"))
}

variable "vpc_id" {
  description = "VPC of the gatherer."
  type        = string
}

variable "private_subnet_ids" {
  description = "Subnets of the gatherer instances."
  type        = list(string)
}

variable "public_subnet_ids" {
  description = "Subnets of the load balancer."
  type        = list(string)
}

variable "certificate_arn" {
  description = "ACM certificate of the HTTPS listener."
  type        = string
}

module "snakebatch" {
  source = "../../modules/snakebatch"

  settings          = local.settings
  name_suffix       = "-example"
  layer_zip_path    = "${local.repo_root}/build/layer/snakebatch-layer.zip"
  function_zip_path = "${local.repo_root}/build/lambda/function.zip"
  force_destroy     = true

  gatherer = {
    vpc_id                   = var.vpc_id
    subnet_ids               = var.private_subnet_ids
    cloud_init_template_path = "${local.repo_root}/gatherer/cloud-init.yaml.tftpl"
    systemd_unit_path        = "${local.repo_root}/gatherer/snakebatch-gatherer.service"
    wheel_s3_uri             = "s3://snake-batch-jobs-example/releases/snakebatch-0.1.0-py3-none-any.whl"
    wheelhouse_s3_uri        = "s3://snake-batch-jobs-example/releases/wheelhouse.tar"
    ingress_cidr_blocks      = ["0.0.0.0/0"]
    create_alb               = true
    alb_subnet_ids           = var.public_subnet_ids
    certificate_arn          = var.certificate_arn
  }
}

output "gatherer_url" {
  description = "HTTPS URL of the gatherer."
  value       = module.snakebatch.gatherer_url
}
