// import IndicatorKit; import Indicators; ModuleRunner.run(GovernanceModule())  — uncomment (as three lines) once the SDK's ModuleRunner is merged.
