locals {
  repo_root = "${path.root}/../../.."
  settings  = jsondecode(file("${local.repo_root}/snakebatch/settings.json"))
  tags      = { project = "snakebatch", environment = "local", managed-by = "terraform" }
}

data "aws_vpc" "default" {
  count   = var.create_gatherer ? 1 : 0
  default = true
}

data "aws_subnets" "default" {
  count = var.create_gatherer ? 1 : 0

  filter {
    name   = "vpc-id"
    values = [data.aws_vpc.default[0].id]
  }
}

module "snakebatch" {
  source = "../../modules/snakebatch"

  settings            = local.settings
  shard_count         = var.shard_count
  layer_zip_path      = coalesce(var.layer_zip_path, "${local.repo_root}/build/layer/snakebatch-layer.zip")
  function_zip_path   = coalesce(var.function_zip_path, "${local.repo_root}/build/lambda/function.zip")
  force_destroy       = true
  deletion_protection = false
  create_gatherer     = var.create_gatherer
  shard_hash_samples  = var.shard_hash_samples
  # moto implements no PutCompositeAlarm: each shard alarm notifies on its own here.
  composite_alarms = false
  # A throwaway key hash: the local stack is never reached by clients.
  api_keys = "local:sha256:${sha256("snakebatch-local")}"

  gatherer = {
    vpc_id                   = try(data.aws_vpc.default[0].id, "")
    subnet_ids               = try(data.aws_subnets.default[0].ids, [])
    cloud_init_template_path = "${local.repo_root}/gatherer/cloud-init.yaml.tftpl"
    systemd_unit_path        = "${local.repo_root}/gatherer/snakebatch-gatherer.service"
    wheel_s3_uri             = "s3://snake-batch-jobs/releases/snakebatch-0.1.0-py3-none-any.whl"
    wheelhouse_s3_uri        = "s3://snake-batch-jobs/releases/wheelhouse.tar"
    docs_path                = var.gatherer_docs_path
    ingress_cidr_blocks      = ["127.0.0.1/32"]
  }

  tags = local.tags
}
