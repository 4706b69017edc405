#!/usr/bin/env pwsh
# Interop's build entry point for PowerShell users: the same steps as build.sh.
#   ./build.ps1            build native (CMake) and managed (.NET) code into build/bin
#   ./build.ps1 test       build, then run CTest and NUnit and print "N passed, N failed"
#   ./build.ps1 clean      remove build/
#   -Portable              native kernels for any x86-64 CPU instead of -march=native
# System packages are not installed from here: on Debian/Ubuntu run ./build.sh once, elsewhere
# install CMake, a C and Fortran compiler with OpenMP, OpenBLAS with LAPACKE, OpenMPI and .NET 10.
param(
  [ValidateSet('build', 'test', 'clean')] [string] $Command = 'build',
  [switch] $Portable
)
$ErrorActionPreference = 'Stop'
$Root = $PSScriptRoot
$Build = Join-Path $Root 'build'
$Bin = Join-Path $Build 'bin'
$NativeBuild = Join-Path $Build 'native'

function Invoke-Step([string] $What, [scriptblock] $Action) {
  Write-Host "==> $What"
  & $Action
  if ($LASTEXITCODE -ne 0) { throw "build.ps1: $What failed (exit $LASTEXITCODE)" }
}

function Build-All {
  foreach ($tool in 'cmake', 'dotnet') {
    if (-not (Get-Command $tool -ErrorAction SilentlyContinue)) { throw "build.ps1: '$tool' is not installed" }
  }
  $portableFlag = if ($Portable) { 'ON' } else { 'OFF' }
  Invoke-Step 'configuring native code (CMake)' {
    cmake -S $Root -B $NativeBuild -DCMAKE_BUILD_TYPE=Release "-DINTEROP_BIN_DIR=$Bin" "-DINTEROP_PORTABLE=$portableFlag"
  }
  Invoke-Step 'building native code' { cmake --build $NativeBuild --config Release --parallel }
  Invoke-Step 'building managed code' {
    dotnet publish (Join-Path $Root 'managed/Interop.Cli/Interop.Cli.csproj') -c Release -o $Bin --nologo -v quiet
  }
  Invoke-Step 'building tests' {
    dotnet build (Join-Path $Root 'tests/Interop.Tests/Interop.Tests.csproj') -c Release --nologo -v quiet
  }
}

function Test-All {
  Build-All
  $passed = 0; $failed = 0
  Write-Host '==> CTest: native kernels'
  $ctest = & ctest --test-dir $NativeBuild -C Release --output-on-failure 2>&1 | Tee-Object -Variable ctestOut
  $line = $ctestOut | Select-String -Pattern '(\d+) tests failed out of (\d+)' | Select-Object -Last 1
  if ($line) {
    $f = [int]$line.Matches[0].Groups[1].Value; $t = [int]$line.Matches[0].Groups[2].Value
    $passed += $t - $f; $failed += $f
  } else { $failed += 1 }

  Write-Host '==> NUnit: managed library, backends and driver'
  $env:INTEROP_NATIVE_DIR = $Bin
  dotnet test (Join-Path $Root 'tests/Interop.Tests/Interop.Tests.csproj') -c Release --no-build --nologo 2>&1 | Tee-Object -Variable nunitOut
  $line = $nunitOut | Select-String -Pattern 'Failed: +(\d+), Passed: +(\d+)' | Select-Object -Last 1
  if ($line) {
    $failed += [int]$line.Matches[0].Groups[1].Value; $passed += [int]$line.Matches[0].Groups[2].Value
  } else { $failed += 1 }

  Write-Host "$passed passed, $failed failed"
  if ($failed -ne 0) { exit 1 }
}

switch ($Command) {
  'build' { Build-All; Write-Host "==> done: run $Bin/interop pi --backend all" }
  'test' { Test-All }
  'clean' { if (Test-Path $Build) { Remove-Item -Recurse -Force $Build }; Write-Host "==> removed $Build" }
}
