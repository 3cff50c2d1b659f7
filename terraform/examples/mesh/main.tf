# The mesh on its own: a two-shard mesh with its layer, queues and storage, named
# from settings.json. Build the zips first (python -m layers.build).

provider "aws" {
  region = local.settings.region
}

locals {
  settings = jsondecode(file("${path.root}/../../../snakebatch/settings.json"))
}

data "aws_caller_identity" "current" {}

module "naming" {
  source = "../../modules/naming"

  settings    = local.settings
  account_id  = data.aws_caller_identity.current.account_id
  name_suffix = "-example"
  shard_count = 2
}

module "layer" {
  source = "../../modules/layer"

  layer_name               = module.naming.layer_name
  zip_path                 = "${path.root}/../../../build/layer/snakebatch-layer.zip"
  compatible_runtimes      = [module.naming.lambda.runtime]
  compatible_architectures = [module.naming.lambda.architecture]
}

module "queues" {
  source = "../../modules/queues"

  queue_name = module.naming.reports_queue
  dlq_name   = module.naming.reports_dlq
}

module "storage" {
  source = "../../modules/storage"

  bucket_name         = module.naming.bucket
  table_name          = module.naming.job_table
  force_destroy       = true
  deletion_protection = false
}

module "mesh" {
  source = "../../modules/mesh"

  function_prefix            = module.naming.function_prefix
  shard_count                = module.naming.shard_count
  package_path               = "${path.root}/../../../build/lambda/function.zip"
  runtime                    = module.naming.lambda.runtime
  architecture               = module.naming.lambda.architecture
  alias_name                 = module.naming.alias
  layer                      = module.layer
  on_failure_destination_arn = module.queues.dlq_arn
  bucket_arn                 = module.storage.bucket_arn
  reports_queue_arn          = module.queues.queue_arn
  job_table_arn              = module.storage.table_arn

  environment_variables = {
    (module.naming.env.backend)           = "aws"
    (module.naming.env.function_prefix)   = module.naming.function_prefix
    (module.naming.env.shard_count)       = tostring(module.naming.shard_count)
    (module.naming.env.bucket)            = module.storage.bucket_name
    (module.naming.env.reports_queue_url) = module.queues.queue_url
    (module.naming.env.reports_dlq_url)   = module.queues.dlq_url
    (module.naming.env.job_table)         = module.storage.table_name
  }
}

output "function_names" {
  description = "The example's shard functions."
  value       = module.mesh.function_names
}
