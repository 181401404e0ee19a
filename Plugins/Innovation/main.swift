// import IndicatorKit; import Indicators; ModuleRunner.run(InnovationModule())  — uncomment (as three lines) once the SDK's ModuleRunner is merged.
