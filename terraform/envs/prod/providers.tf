provider "aws" {
  region = local.settings.region

  default_tags {
    tags = local.tags
  }
}
