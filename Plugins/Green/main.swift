// import IndicatorKit; import Indicators; ModuleRunner.run(GreenModule())  — uncomment (as three lines) once the SDK's ModuleRunner is merged.
