// import IndicatorKit; import Indicators; ModuleRunner.run(ComplianceModule())  — uncomment (as three lines) once the SDK's ModuleRunner is merged.
