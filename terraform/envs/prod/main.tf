locals {
  repo_root = "${path.root}/../../.."
  settings  = jsondecode(file("${local.repo_root}/snakebatch/settings.json"))
  tags      = { project = "snakebatch", environment = "prod", managed-by = "terraform" }
}

module "snakebatch" {
  source = "../../modules/snakebatch"

  settings           = local.settings
  layer_zip_path     = coalesce(var.layer_zip_path, "${local.repo_root}/build/layer/snakebatch-layer.zip")
  function_zip_path  = coalesce(var.function_zip_path, "${local.repo_root}/build/lambda/function.zip")
  alarm_emails       = var.alarm_emails
  log_retention_days = 90

  gatherer = {
    vpc_id                   = var.vpc_id
    subnet_ids               = var.subnet_ids
    cloud_init_template_path = "${local.repo_root}/gatherer/cloud-init.yaml.tftpl"
    systemd_unit_path        = "${local.repo_root}/gatherer/snakebatch-gatherer.service"
    wheel_s3_uri             = var.wheel_s3_uri
    docs_s3_uri              = var.docs_s3_uri
    ingress_cidr_blocks      = var.ingress_cidr_blocks
    create_alb               = true
    alb_subnet_ids           = var.alb_subnet_ids
    certificate_arn          = var.certificate_arn
  }

  tags = local.tags
}
