import IndicatorKit
import Indicators

ModuleRunner.run(ComplianceModule())
