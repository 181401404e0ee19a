// import IndicatorKit; import Indicators; ModuleRunner.run(OpennessModule())  — uncomment (as three lines) once the SDK's ModuleRunner is merged.
