"""Builds what Terraform deploys: the Lambda layer and zip, the gatherer's wheel and docs."""
