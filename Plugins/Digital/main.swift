// import IndicatorKit; import Indicators; ModuleRunner.run(DigitalModule())  — uncomment (as three lines) once the SDK's ModuleRunner is merged.
