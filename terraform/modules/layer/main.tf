resource "aws_lambda_layer_version" "this" {
  layer_name               = var.layer_name
  description              = var.description
  filename                 = var.zip_path
  source_code_hash         = filebase64sha256(var.zip_path)
  compatible_runtimes      = var.compatible_runtimes
  compatible_architectures = var.compatible_architectures
}
