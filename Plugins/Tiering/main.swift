// import IndicatorKit; import Indicators; ModuleRunner.run(TieringModule())  — uncomment (as three lines) once the SDK's ModuleRunner is merged.
