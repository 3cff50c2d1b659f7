locals {
  repo_root = "${path.root}/../../.."
  settings  = jsondecode(file("${local.repo_root}/snakebatch/settings.json"))
  tags      = { project = "snakebatch", environment = "dev", managed-by = "terraform" }

  # python -m layers.build leaves exactly one wheel in build/gatherer/; it is only
  # looked for when neither wheel_s3_uri nor gatherer_wheel_path is given.
  gatherer_build = "${local.repo_root}/build/gatherer"
  built_wheels   = var.wheel_s3_uri != "" || var.gatherer_wheel_path != null ? [] : [for f in fileset(local.gatherer_build, "snakebatch-*.whl") : "${local.gatherer_build}/${f}"]
}

# Same stack as prod with "-dev" names, so both fit in one account; throwaway
# storage, shorter logs, and the gatherer reached directly (no ALB).
module "snakebatch" {
  source = "../../modules/snakebatch"

  settings                  = local.settings
  bucket_name               = var.bucket_name
  name_suffix               = "-dev"
  layer_zip_path            = coalesce(var.layer_zip_path, "${local.repo_root}/build/layer/snakebatch-layer.zip")
  function_zip_path         = coalesce(var.function_zip_path, "${local.repo_root}/build/lambda/function.zip")
  api_keys                  = var.api_keys
  api_keys_parameter_exists = var.api_keys_parameter_exists
  alarm_emails              = var.alarm_emails
  log_retention_days        = 7
  force_destroy             = true
  deletion_protection       = false

  gatherer = {
    vpc_id                   = var.vpc_id
    subnet_ids               = var.subnet_ids
    instance_type            = "t4g.large"
    cloud_init_template_path = "${local.repo_root}/gatherer/cloud-init.yaml.tftpl"
    systemd_unit_path        = "${local.repo_root}/gatherer/snakebatch-gatherer.service"
    wheel_s3_uri             = var.wheel_s3_uri
    docs_s3_uri              = var.docs_s3_uri
    wheel_path               = var.gatherer_wheel_path != null ? var.gatherer_wheel_path : (length(local.built_wheels) == 0 ? "" : one(local.built_wheels))
    docs_path                = var.gatherer_docs_path != null ? var.gatherer_docs_path : "${local.gatherer_build}/docs.tar.gz"
    wheelhouse_s3_uri        = var.wheelhouse_s3_uri
    wheelhouse_path          = var.wheelhouse_s3_uri != "" ? "" : coalesce(var.gatherer_wheelhouse_path, "${local.gatherer_build}/wheelhouse.tar")
    ingress_cidr_blocks      = var.ingress_cidr_blocks
    max_size                 = 1
  }

  tags = local.tags
}
