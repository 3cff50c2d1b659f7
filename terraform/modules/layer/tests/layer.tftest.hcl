mock_provider "aws" {}

variables {
  layer_name               = "snakebatch-engine"
  zip_path                 = "tests/layer.zip"
  compatible_runtimes      = ["python3.11"]
  compatible_architectures = ["x86_64"]
}

run "publishes_from_the_zip_with_its_hash" {
  command = plan

  assert {
    condition     = aws_lambda_layer_version.this.source_code_hash == filebase64sha256("tests/layer.zip")
    error_message = "The source hash must be the zip's SHA-256, so a rebuilt zip publishes a new version."
  }
  assert {
    condition     = aws_lambda_layer_version.this.layer_name == "snakebatch-engine" && aws_lambda_layer_version.this.compatible_architectures == toset(["x86_64"])
    error_message = "The layer must carry its name and the architecture it was built for."
  }
}

run "rejects_non_zip" {
  command = plan
  variables {
    zip_path = "tests/layer.tar.gz"
  }
  expect_failures = [var.zip_path]
}

run "rejects_unknown_architecture" {
  command = plan
  variables {
    compatible_architectures = ["sparc"]
  }
  expect_failures = [var.compatible_architectures]
}

run "rejects_non_python_runtime" {
  command = plan
  variables {
    compatible_runtimes = ["java21"]
  }
  expect_failures = [var.compatible_runtimes]
}
