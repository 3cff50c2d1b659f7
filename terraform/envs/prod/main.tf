locals {
  repo_root = "${path.root}/../../.."
  settings  = jsondecode(file("${local.repo_root}/snakebatch/settings.json"))
  tags      = { project = "snakebatch", environment = "prod", managed-by = "terraform" }

  # python -m layers.build leaves exactly one wheel in build/gatherer/; it is only
  # looked for when neither wheel_s3_uri nor gatherer_wheel_path is given.
  gatherer_build = "${local.repo_root}/build/gatherer"
  built_wheels   = var.wheel_s3_uri != "" || var.gatherer_wheel_path != null ? [] : [for f in fileset(local.gatherer_build, "snakebatch-*.whl") : "${local.gatherer_build}/${f}"]
}

module "snakebatch" {
  source = "../../modules/snakebatch"

  settings                  = local.settings
  bucket_name               = var.bucket_name
  layer_zip_path            = coalesce(var.layer_zip_path, "${local.repo_root}/build/layer/snakebatch-layer.zip")
  function_zip_path         = coalesce(var.function_zip_path, "${local.repo_root}/build/lambda/function.zip")
  api_keys                  = var.api_keys
  api_keys_parameter_exists = var.api_keys_parameter_exists
  alarm_emails              = var.alarm_emails
  # An alarm nobody receives is no alarm: prod refuses to plan without a subscriber.
  require_alarm_subscriber = true
  # Stop the plan, before anything is created, when the account's quotas cannot run it.
  check_account_quotas      = true
  account_concurrency_limit = var.account_concurrency_limit
  log_retention_days        = 90
  # On in prod; the teardown (docs/deploy.md) applies false first so destroy can proceed.
  deletion_protection = var.deletion_protection

  gatherer = {
    vpc_id                   = var.vpc_id
    subnet_ids               = var.subnet_ids
    cloud_init_template_path = "${local.repo_root}/gatherer/cloud-init.yaml.tftpl"
    systemd_unit_path        = "${local.repo_root}/gatherer/snakebatch-gatherer.service"
    wheel_s3_uri             = var.wheel_s3_uri
    docs_s3_uri              = var.docs_s3_uri
    wheel_path               = var.gatherer_wheel_path != null ? var.gatherer_wheel_path : (length(local.built_wheels) == 0 ? "" : one(local.built_wheels))
    docs_path                = var.gatherer_docs_path != null ? var.gatherer_docs_path : "${local.gatherer_build}/docs.tar.gz"
    wheelhouse_s3_uri        = var.wheelhouse_s3_uri
    wheelhouse_path          = var.wheelhouse_s3_uri != "" ? "" : coalesce(var.gatherer_wheelhouse_path, "${local.gatherer_build}/wheelhouse.tar")
    ingress_cidr_blocks      = var.ingress_cidr_blocks
    create_alb               = true
    alb_subnet_ids           = var.alb_subnet_ids
    certificate_arn          = var.certificate_arn
  }

  tags = local.tags
}
