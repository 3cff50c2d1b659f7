# The gatherer's release artefacts (python -m layers.build writes them to build/gatherer/),
# uploaded to the job bucket so cloud-init can fetch them. Keys carry the content's MD5:
# a rebuilt wheel or docs tarball is a new URI, hence new user data, a new launch
# template version and a rolling instance refresh; unchanged files change nothing.
# No lifecycle rule of the bucket expires artifacts/ (only jobs/ staging and
# noncurrent versions of replaced objects).

locals {
  artifacts_prefix  = "artifacts/gatherer"
  upload_wheel      = var.gatherer.wheel_path != "" && var.gatherer.wheel_s3_uri == ""
  upload_docs       = var.gatherer.docs_path != "" && var.gatherer.docs_s3_uri == ""
  upload_wheelhouse = var.gatherer.wheelhouse_path != "" && var.gatherer.wheelhouse_s3_uri == ""

  # URIs read from the objects, so the gatherer (its launch template and its role's
  # read grant) depends on the uploads and never boots before them.
  gatherer_wheel_s3_uri      = local.upload_wheel ? "s3://${aws_s3_object.gatherer_wheel[0].bucket}/${aws_s3_object.gatherer_wheel[0].key}" : var.gatherer.wheel_s3_uri
  gatherer_docs_s3_uri       = local.upload_docs ? "s3://${aws_s3_object.gatherer_docs[0].bucket}/${aws_s3_object.gatherer_docs[0].key}" : var.gatherer.docs_s3_uri
  gatherer_wheelhouse_s3_uri = local.upload_wheelhouse ? "s3://${aws_s3_object.gatherer_wheelhouse[0].bucket}/${aws_s3_object.gatherer_wheelhouse[0].key}" : var.gatherer.wheelhouse_s3_uri
}

# source_hash, not etag: under the bucket's SSE-KMS default an object's ETag is not its MD5.
resource "aws_s3_object" "gatherer_wheel" {
  count = local.upload_wheel ? 1 : 0

  bucket       = module.naming.bucket
  key          = "${local.artifacts_prefix}/${filemd5(var.gatherer.wheel_path)}/${basename(var.gatherer.wheel_path)}"
  source       = var.gatherer.wheel_path
  source_hash  = filemd5(var.gatherer.wheel_path)
  content_type = "application/zip"
  tags         = var.tags

  # After the bucket's encryption, policy and lifecycle are in place.
  depends_on = [module.storage]
}

resource "aws_s3_object" "gatherer_docs" {
  count = local.upload_docs ? 1 : 0

  bucket       = module.naming.bucket
  key          = "${local.artifacts_prefix}/${filemd5(var.gatherer.docs_path)}/${basename(var.gatherer.docs_path)}"
  source       = var.gatherer.docs_path
  source_hash  = filemd5(var.gatherer.docs_path)
  content_type = "application/gzip"
  tags         = var.tags

  depends_on = [module.storage]
}

resource "aws_s3_object" "gatherer_wheelhouse" {
  count = local.upload_wheelhouse ? 1 : 0

  bucket       = module.naming.bucket
  key          = "${local.artifacts_prefix}/${filemd5(var.gatherer.wheelhouse_path)}/${basename(var.gatherer.wheelhouse_path)}"
  source       = var.gatherer.wheelhouse_path
  source_hash  = filemd5(var.gatherer.wheelhouse_path)
  content_type = "application/x-tar"
  tags         = var.tags

  depends_on = [module.storage]
}
