output "arn" {
  description = "ARN of this layer version (what a function's layers list takes)."
  value       = aws_lambda_layer_version.this.arn
}

output "layer_arn" {
  description = "ARN of the layer without its version."
  value       = aws_lambda_layer_version.this.layer_arn
}

output "version" {
  description = "Version number published from the current zip."
  value       = aws_lambda_layer_version.this.version
}

output "source_code_hash" {
  description = "Base64 SHA-256 of the zip the version was published from."
  value       = aws_lambda_layer_version.this.source_code_hash
}

output "compatible_runtimes" {
  description = "Runtimes the layer declares; the mesh checks its runtime is one of them."
  value       = var.compatible_runtimes
}

output "compatible_architectures" {
  description = "Architectures the layer declares; the mesh checks its architecture is one of them."
  value       = var.compatible_architectures
}
